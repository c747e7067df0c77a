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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one root into a Merkle tree of directory objects. Symlinks are recorded, never followed;
 * sockets, fifos, devices and every entry named {@code .git} are left out.
 *
 * <p>Directories are listed and stat'ed in parallel on the walk pool, one task per directory
 * (the walk is bound by {@code lstat}, which scales across cores). A regular file whose stat the
 * {@link PublishIndex} vouches for takes its digests from there; every other file is read and
 * hashed by a task on the hash pool. No task ever waits for another: each one only adds work and
 * fills its own slots. Each directory counts what it still waits for (its own listing, its files
 * being hashed, its subdirectories); whichever task brings that count to zero encodes and stores
 * the directory's object, then counts down its parent. So directory objects are built bottom-up
 * while the walk goes on, the output depends on the bytes only, never on timing, and a small pool
 * cannot deadlock.
 */
final class TreeScanner {
    private static final Logger LOG = LoggerFactory.getLogger(TreeScanner.class);
    static final String GIT = ".git";

    private final FileHasher hasher;
    private final FrozenStore store;
    private final Executor walkPool;
    private final Executor hashPool;
    private final Set<Path> excluded;
    private final Excludes excludes;

    /**
     * @param excluded real paths never scanned: the server's own state dir when it lies in a root
     * @param excludes what the user asked to leave out
     */
    TreeScanner(FileHasher hasher, FrozenStore store, Executor walkPool, Executor hashPool, Set<Path> excluded,
                Excludes excludes) {
        this.hasher = hasher;
        this.store = store;
        this.walkPool = walkPool;
        this.hashPool = hashPool;
        this.excluded = Set.copyOf(excluded);
        this.excludes = excludes;
    }

    /** One pool for walking and hashing: fine, since no task waits for another. */
    TreeScanner(FileHasher hasher, FrozenStore store, Executor pool, Set<Path> excluded, Excludes excludes) {
        this(hasher, store, pool, pool, excluded, excludes);
    }

    int chunkSize() {
        return hasher.chunkSize();
    }

    /** A file of a stable root: where its chunks live until a later publish replaces them. */
    record StableFile(Path path, long size, List<Digest> chunks) {
    }

    /**
     * The result of scanning one root. {@code hashedFiles}/{@code hashedBytes} are what was read
     * (the rest came from the index); {@code indexEntries} are every regular file, for the next index.
     */
    record RootScan(Digest tree, long files, long bytes, long newObjects, long newBytes, long skipped,
                    long hashedFiles, long hashedBytes, List<StableFile> stableFiles,
                    List<PublishIndex.Entry> indexEntries) {
        RootScan {
            stableFiles = List.copyOf(stableFiles);
            indexEntries = List.copyOf(indexEntries);
        }
    }

    /**
     * What a scan consults (the last index) and reports to (the publish's progress).
     * {@code knownStable}, when set, receives the files of stable roots that the index vouched
     * for as the walk finds them (their chunks were published before, so they may be served at
     * once); without it they are returned in {@link RootScan#stableFiles} with the rest.
     * {@code warn} says whether each entry left out is logged: not by a walk that records
     * nothing (the warm-up's), which would only repeat the warnings of the publish before it.
     */
    record Context(PublishIndex index, PublishProgress progress, StableSink knownStable, boolean warn) {
        Context(PublishIndex index, PublishProgress progress) {
            this(index, progress, null, true);
        }

        Context(PublishIndex index, PublishProgress progress, StableSink knownStable) {
            this(index, progress, knownStable, true);
        }
    }

    /**
     * Takes the places of a stable file's chunks; called from the walk's threads with the file's
     * path (new for this walk) and its index entry (its path as a string, kept since the last
     * publish: what a sink that holds on to files should keep).
     */
    @FunctionalInterface
    interface StableSink {
        void accept(Path file, Path rootReal, PublishIndex.Entry known);
    }

    /** Scans with no index (every file is read) and no one watching. */
    RootScan scan(Path rootReal, RootKind kind) throws IOException {
        PublishProgress progress = new PublishProgress();
        progress.expectRoots(1);
        return scan(rootReal, kind, new Context(PublishIndex.empty(chunkSize()), progress));
    }

    RootScan scan(Path rootReal, RootKind kind, Context context) throws IOException {
        return start(rootReal, kind, context).finish();
    }

    /**
     * Starts scanning the root at its real path and returns at once. For a LIVE root every chunk
     * is (or already was) in the frozen store when {@link Pending#finish} returns; for a STABLE
     * root only the places of its chunks are returned. Directory objects and chunk lists always
     * go to the frozen store.
     */
    Pending start(Path rootReal, RootKind kind, Context context) {
        Pending pending = new Pending(rootReal, kind, context);
        pending.submit(true, () -> walk(pending, pending.top, true));
        return pending;
    }

    /** A scan in flight: its counters and the tree of directories found so far. */
    final class Pending {
        private final RootKind kind;
        private final Context context;
        private final DirNode top;
        /** Tasks submitted and not finished; the walk tasks among them. */
        private final AtomicInteger outstanding = new AtomicInteger();
        private final AtomicInteger walking = new AtomicInteger();
        private final CountDownLatch done = new CountDownLatch(1);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean cancelled;
        private final LongAdder files = new LongAdder();
        private final LongAdder bytes = new LongAdder();
        private final LongAdder newObjects = new LongAdder();
        private final LongAdder newBytes = new LongAdder();
        private final LongAdder skipped = new LongAdder();
        private final LongAdder hashedFiles = new LongAdder();
        private final LongAdder hashedBytes = new LongAdder();

        private Pending(Path rootReal, RootKind kind, Context context) {
            this.kind = kind;
            this.context = context;
            this.top = new DirNode(rootReal, null, PathBytes.length(rootReal));
        }

        /** Waits for every task (the last one built the root's object), then gathers the index entries. */
        RootScan finish() throws IOException {
            try {
                done.await();
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new ServerException("publish was interrupted", e);
            }
            Throwable t = failure.get();
            if (t != null) {
                throw rethrow(t);
            }
            List<PublishIndex.Entry> indexEntries = new ArrayList<>();
            List<StableFile> stableFiles = new ArrayList<>();
            collect(top, indexEntries, stableFiles);
            return new RootScan(top.digest, files.sum(), bytes.sum(), newObjects.sum(), newBytes.sum(), skipped.sum(),
                    hashedFiles.sum(), hashedBytes.sum(), stableFiles, indexEntries);
        }

        /** Tasks not yet started do nothing; the scan then fails. */
        void cancel() {
            cancelled = true;
        }

        private void submit(boolean walk, IoTask task) {
            Executor pool = walk ? walkPool : hashPool;
            outstanding.incrementAndGet();
            if (walk) {
                walking.incrementAndGet();
            }
            Runnable run = () -> {
                try {
                    if (!cancelled && failure.get() == null) {
                        task.run();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    finishOne(walk);
                }
            };
            try {
                pool.execute(run);
            } catch (RejectedExecutionException e) {
                failure.compareAndSet(null, new ServerException("publish was cancelled: the server is stopping", e));
                finishOne(walk);
            }
        }

        private void finishOne(boolean walk) {
            if (walk && walking.decrementAndGet() == 0) {
                context.progress().rootWalked();
            }
            if (outstanding.decrementAndGet() == 0) {
                done.countDown();
            }
        }

        private void countNew(long written) {
            if (written > 0) {
                newObjects.increment();
                newBytes.add(written);
                context.progress().objectsFrozen.increment();
                context.progress().bytesFrozen.add(written);
            }
        }

        private void skip(Path path, String why) {
            skip(path, why, 1);
        }

        /** One warning for {@code entries} entries left out at {@code path}. */
        private void skip(Path path, String why, int entries) {
            skipped.add(entries);
            String shown = PathBytes.shortened(path);
            context.progress().leftOut(shown, why);
            if (context.warn()) {
                LOG.warn("left {} out of the snapshot: {}", shown, why);
            }
        }
    }

    @FunctionalInterface
    private interface IoTask {
        void run() throws IOException;
    }

    /**
     * One directory. Its lists are filled by its own walk task; a {@link FileSlot} is filled by
     * its hash task. Everything is read only after the scan's last task is done.
     */
    private static final class DirNode {
        final Path path;
        /** Null for the root. */
        final DirNode parent;
        /** Its own listing, its files being hashed and its subdirectories not yet built. */
        final AtomicInteger waitingFor = new AtomicInteger(1);
        /** Its object's digest, once built; read by the parent's build, which comes after. */
        Digest digest;
        final List<Entry> ready = new ArrayList<>();
        final List<PublishIndex.Entry> indexed = new ArrayList<>();
        final List<StableFile> stableFiles = new ArrayList<>();
        final List<FileSlot> hashing = new ArrayList<>();
        final List<SubDir> dirs = new ArrayList<>();
        /** Set when the directory could not be listed (permission denied, deleted meanwhile). */
        boolean leftOut;
        /** The length of its path in bytes, which the system bounds. */
        final int pathBytes;

        DirNode(Path path, DirNode parent, int pathBytes) {
            this.path = path;
            this.parent = parent;
            this.pathBytes = pathBytes;
        }
    }

    private static final class FileSlot {
        Entry.File entry;
        PublishIndex.Entry indexEntry;
        StableFile stableFile;
    }

    private record SubDir(String name, FileStat stat, DirNode node) {
    }

    private void walk(Pending scan, DirNode node, boolean isRoot) throws IOException {
        list(scan, node, isRoot);
        oneLess(scan, node);
    }

    private void list(Pending scan, DirNode node, boolean isRoot) throws IOException {
        Path dir = node.path;
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        } catch (AccessDeniedException e) {
            if (isRoot) {
                throw new ServerException("root " + dir + " cannot be read; fix its permissions or leave it out", e);
            }
            node.leftOut = true;
            scan.skip(dir, "permission denied");
            return;
        } catch (NoSuchFileException e) {
            if (isRoot) {
                throw e;
            }
            node.leftOut = true; // deleted during the walk
            return;
        }
        PublishProgress progress = scan.context.progress();
        int tooLong = 0;
        Path firstTooLong = null;
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (name.equals(GIT) || excludes.matches(child)) {
                continue;
            }
            int childBytes = PathBytes.childLength(node.pathBytes, name);
            if (childBytes >= PathBytes.PATH_MAX) {
                // No system call takes its path: it cannot be reached. One warning for all of them here.
                firstTooLong = tooLong++ == 0 ? child : firstTooLong;
                continue;
            }
            if (!PathBytes.exactName(child.getFileName(), name)) {
                scan.skip(child, "its name is not valid UTF-8");
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
                DirNode sub = new DirNode(child, node, childBytes);
                node.dirs.add(new SubDir(name, stat, sub));
                node.waitingFor.incrementAndGet();
                scan.submit(true, () -> walk(scan, sub, false));
            } else if (stat.isRegularFile()) {
                progress.filesSeen.increment();
                progress.bytesSeen.add(stat.size());
                String key = child.toString();
                PublishIndex.Entry known = scan.context.index().lookup(key, stat);
                if (known != null && (scan.kind == RootKind.STABLE || frozen(known))) {
                    node.indexed.add(known);
                    node.ready.add(new Entry.File(name, stat.mode(), stat.size(), stat.mtimeNanos(), known.content()));
                    scan.files.increment();
                    scan.bytes.add(known.size());
                    if (scan.kind == RootKind.STABLE) {
                        if (scan.context.knownStable() != null) {
                            scan.context.knownStable().accept(child, scan.top.path, known);
                        } else {
                            node.stableFiles.add(new StableFile(child, known.size(), known.chunks()));
                        }
                    }
                } else {
                    progress.filesToHash.increment();
                    progress.bytesToHash.add(stat.size());
                    FileSlot slot = new FileSlot();
                    node.hashing.add(slot);
                    node.waitingFor.incrementAndGet();
                    scan.submit(false, () -> {
                        hashFile(scan, slot, child, key, name, stat);
                        oneLess(scan, node);
                    });
                }
            } else if (stat.isSymlink()) {
                try {
                    // Stored as written: relative, absolute and dangling targets alike.
                    Path target = Files.readSymbolicLink(child);
                    String text = target.toString();
                    if (PathBytes.exactTarget(child, text)) {
                        node.ready.add(new Entry.Symlink(name, stat.mtimeNanos(), text));
                    } else {
                        scan.skip(child, "its target is not valid UTF-8");
                    }
                } catch (NoSuchFileException e) {
                    // deleted since the listing
                }
            }
            // Sockets, fifos and devices have no content to share.
        }
        if (tooLong > 0) {
            scan.skip(firstTooLong, (tooLong == 1 ? "its path is" : "its path and those of " + (tooLong - 1)
                    + " more entries beside it are") + " longer than the " + (PathBytes.PATH_MAX - 1)
                    + " bytes Linux allows", tooLong);
        }
    }

    /** Whether the frozen store still holds every object a live file of the index names. */
    private boolean frozen(PublishIndex.Entry known) {
        if (!store.contains(known.content())) {
            return false;
        }
        if (known.chunks().size() > 1 || !known.chunks().get(0).equals(known.content())) {
            for (Digest d : known.chunks()) {
                if (!store.contains(d)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Leaves the slot empty when the file vanished or could not be read. */
    private void hashFile(Pending scan, FileSlot slot, Path file, String key, String name, FileStat stat)
            throws IOException {
        PublishProgress progress = scan.context.progress();
        FileHasher.ChunkSink freeze = scan.kind == RootKind.LIVE
                ? (digest, buf, length) -> scan.countNew(store.put(digest, buf, 0, length))
                : FileHasher.ChunkSink.IGNORE;
        FileHasher.ChunkSink sink = (digest, buf, length) -> {
            progress.bytesHashed.add(length);
            freeze.accept(digest, buf, length);
        };
        FileHasher.Hashed hashed;
        try {
            hashed = hasher.hash(file, stat, sink);
        } catch (NoSuchFileException e) {
            return;
        } catch (AccessDeniedException e) {
            scan.skip(file, "permission denied");
            return;
        } catch (NotRegularFileException e) {
            scan.skip(file, e.why());
            return;
        } catch (FileKeepsChangingException e) {
            scan.skip(file, "it changed on each of " + FileHasher.MAX_ATTEMPTS + " reads; publish again once whatever"
                    + " writes it has finished");
            return;
        } finally {
            progress.filesHashed.increment();
        }
        long size = hashed.stat().size();
        Digest content;
        if (Chunking.isChunked(size, hasher.chunkSize())) {
            byte[] list = new ChunkList(hashed.chunks()).encode();
            content = Digest.of(list);
            scan.countNew(store.put(content, list));
        } else {
            content = hashed.chunks().get(0);
        }
        scan.hashedFiles.increment();
        scan.hashedBytes.add(size);
        scan.files.increment();
        scan.bytes.add(size);
        if (scan.kind == RootKind.STABLE) {
            slot.stableFile = new StableFile(file, size, hashed.chunks());
        }
        slot.indexEntry = PublishIndex.Entry.of(key, hashed.stat(), content, hashed.chunks());
        slot.entry = new Entry.File(name, hashed.stat().mode(), size, hashed.stat().mtimeNanos(), content);
    }

    /**
     * One thing {@code node} waited for is done. The last one builds its object, then counts down
     * its parent. A directory that could not be listed gets no object; its parent leaves it out.
     */
    private void oneLess(Pending scan, DirNode node) throws IOException {
        for (DirNode n = node; n != null && n.waitingFor.decrementAndGet() == 0; n = n.parent) {
            if (!n.leftOut) {
                n.digest = build(n, scan);
            }
        }
    }

    /** Encodes and stores one directory whose files and subdirectories are all done. */
    private Digest build(DirNode node, Pending scan) throws IOException {
        List<Entry> entries = new ArrayList<>(node.ready);
        for (FileSlot slot : node.hashing) {
            if (slot.entry != null) {
                entries.add(slot.entry);
            }
        }
        for (SubDir sub : node.dirs) {
            if (!sub.node().leftOut) {
                Digest tree = sub.node().digest;
                entries.add(new Entry.Dir(sub.name(), sub.stat().mode(), sub.stat().size(), sub.stat().mtimeNanos(), tree));
            }
        }
        byte[] encoded = DirectoryCodec.encode(new Directory(entries));
        Digest digest = Digest.of(encoded);
        scan.countNew(store.put(digest, encoded));
        return digest;
    }

    /** The index entries and stable files of the directory and everything below it. */
    private static void collect(DirNode node, List<PublishIndex.Entry> indexEntries, List<StableFile> stableFiles) {
        indexEntries.addAll(node.indexed);
        stableFiles.addAll(node.stableFiles);
        for (FileSlot slot : node.hashing) {
            if (slot.entry != null) {
                indexEntries.add(slot.indexEntry);
                if (slot.stableFile != null) {
                    stableFiles.add(slot.stableFile);
                }
            }
        }
        for (SubDir sub : node.dirs) {
            if (!sub.node().leftOut) {
                collect(sub.node(), indexEntries, stableFiles);
            }
        }
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof UncheckedIOException io) {
            return io.getCause();
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("scanning failed", t);
    }
}
