package dev.stackshare.server;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot.RootKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one root into a Merkle tree of directory objects. Symlinks are recorded, never followed;
 * sockets, fifos, devices and every entry named {@code .git} are left out.
 *
 * <p>One thread walks (the walk is bound by {@code lstat}); files are hashed on the pool. The
 * walk only submits, and directories are built after it from the finished futures, so pool
 * tasks never wait on each other, and the output depends on the bytes only, never on timing.
 */
final class TreeScanner {
    private static final Logger LOG = LoggerFactory.getLogger(TreeScanner.class);
    static final String GIT = ".git";

    private final FileHasher hasher;
    private final FrozenStore store;
    private final ExecutorService pool;
    private final Set<Path> excluded;
    private final Excludes excludes;

    /**
     * @param excluded real paths never scanned: the server's own state dir when it lies in a root
     * @param excludes what the user asked to leave out
     */
    TreeScanner(FileHasher hasher, FrozenStore store, ExecutorService pool, Set<Path> excluded, Excludes excludes) {
        this.hasher = hasher;
        this.store = store;
        this.pool = pool;
        this.excluded = Set.copyOf(excluded);
        this.excludes = excludes;
    }

    /** A file of a stable root: where its chunks live until a later publish replaces them. */
    record StableFile(Path path, long size, List<Digest> chunks) {
    }

    /** The result of scanning one root. */
    record RootScan(Digest tree, long files, long bytes, long newObjects, long newBytes, long skipped,
                    List<StableFile> stableFiles) {
        RootScan {
            stableFiles = List.copyOf(stableFiles);
        }
    }

    /**
     * Scans the root at its real path. For a LIVE root every chunk is copied into the frozen
     * store; for a STABLE root only the places of its chunks are returned. Directory objects and
     * chunk lists always go to the frozen store.
     */
    RootScan scan(Path rootReal, RootKind kind) throws IOException {
        Scan scan = new Scan(kind);
        try {
            PendingDir top = walk(rootReal, scan, true);
            Digest tree = finish(top, scan);
            return new RootScan(tree, scan.files.get(), scan.bytes.get(), scan.newObjects.get(), scan.newBytes.get(),
                    scan.skipped.get(), new ArrayList<>(scan.stableFiles));
        } finally {
            // On failure, leftover hashing of this scan must not go on into the next publish.
            scan.futures.forEach(f -> f.cancel(false));
        }
    }

    /** State of one scan, shared by the walking thread and the hashing tasks. */
    private static final class Scan {
        final RootKind kind;
        final AtomicLong files = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong newObjects = new AtomicLong();
        final AtomicLong newBytes = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final ConcurrentLinkedQueue<StableFile> stableFiles = new ConcurrentLinkedQueue<>();
        final List<Future<?>> futures = new ArrayList<>();

        Scan(RootKind kind) {
            this.kind = kind;
        }
    }

    /** A directory whose files may still be hashing. */
    private static final class PendingDir {
        final List<Entry> ready = new ArrayList<>();
        final List<Future<Entry.File>> files = new ArrayList<>();
        final List<PendingSub> dirs = new ArrayList<>();
    }

    private record PendingSub(String name, FileStat stat, PendingDir dir) {
    }

    private PendingDir walk(Path dir, Scan scan, boolean isRoot) throws IOException {
        PendingDir pending = new PendingDir();
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        } catch (AccessDeniedException e) {
            if (isRoot) {
                throw new ServerException("root " + dir + " cannot be read; fix its permissions or leave it out", e);
            }
            throw e;
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (name.equals(GIT) || excludes.matches(child)) {
                continue;
            }
            if (name.indexOf('\uFFFD') >= 0) {
                // The JDK cannot name a file whose name is not UTF-8, so it could never be read back.
                skip(scan, child, "its name is not valid UTF-8");
                continue;
            }
            FileStat stat;
            try {
                stat = FileStat.lstat(child);
            } catch (NoSuchFileException e) {
                continue; // deleted since the listing: as if we had listed a moment later
            }
            if (stat.isDirectory()) {
                if (excluded.contains(child)) {
                    continue;
                }
                try {
                    pending.dirs.add(new PendingSub(name, stat, walk(child, scan, false)));
                } catch (AccessDeniedException e) {
                    skip(scan, child, "permission denied");
                } catch (NoSuchFileException e) {
                    // deleted during the walk
                }
            } else if (stat.isRegularFile()) {
                Future<Entry.File> f = pool.submit(() -> hashFile(child, name, stat, scan));
                scan.futures.add(f);
                pending.files.add(f);
            } else if (stat.isSymlink()) {
                try {
                    // Stored as written: relative, absolute and dangling targets alike.
                    String target = Files.readSymbolicLink(child).toString();
                    pending.ready.add(new Entry.Symlink(name, stat.mtimeNanos(), target));
                } catch (NoSuchFileException e) {
                    // deleted since the listing
                }
            }
            // Sockets, fifos and devices have no content to share.
        }
        return pending;
    }

    /** Null when the file vanished or could not be read. */
    private Entry.File hashFile(Path file, String name, FileStat stat, Scan scan) throws IOException {
        FileHasher.ChunkSink sink = scan.kind == RootKind.LIVE
                ? (digest, buf, length) -> countNew(scan, store.put(digest, buf, 0, length))
                : FileHasher.ChunkSink.IGNORE;
        FileHasher.Hashed hashed;
        try {
            hashed = hasher.hash(file, stat, sink);
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            skip(scan, file, "permission denied");
            return null;
        }
        long size = hashed.stat().size();
        Digest content;
        if (Chunking.isChunked(size, hasher.chunkSize())) {
            byte[] list = new ChunkList(hashed.chunks()).encode();
            content = Digest.of(list);
            countNew(scan, store.put(content, list));
        } else {
            content = hashed.chunks().get(0);
        }
        if (scan.kind == RootKind.STABLE) {
            scan.stableFiles.add(new StableFile(file, size, hashed.chunks()));
        }
        scan.files.incrementAndGet();
        scan.bytes.addAndGet(size);
        return new Entry.File(name, hashed.stat().mode(), size, hashed.stat().mtimeNanos(), content);
    }

    private Digest finish(PendingDir pending, Scan scan) throws IOException {
        List<Entry> entries = new ArrayList<>(pending.ready);
        for (Future<Entry.File> f : pending.files) {
            Entry.File file = join(f);
            if (file != null) {
                entries.add(file);
            }
        }
        for (PendingSub sub : pending.dirs) {
            Digest tree = finish(sub.dir(), scan);
            entries.add(new Entry.Dir(sub.name(), sub.stat().mode(), sub.stat().size(), sub.stat().mtimeNanos(), tree));
        }
        byte[] encoded = DirectoryCodec.encode(new Directory(entries));
        Digest digest = Digest.of(encoded);
        countNew(scan, store.put(digest, encoded));
        return digest;
    }

    private static Entry.File join(Future<Entry.File> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerException("publish was interrupted", e);
        } catch (CancellationException e) {
            throw new ServerException("publish was cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IllegalStateException("hashing failed", cause);
        }
    }

    private static void countNew(Scan scan, long written) {
        if (written > 0) {
            scan.newObjects.incrementAndGet();
            scan.newBytes.addAndGet(written);
        }
    }

    private static void skip(Scan scan, Path path, String why) {
        scan.skipped.incrementAndGet();
        LOG.warn("left {} out of the snapshot: {}", path, why);
    }
}
