package dev.stackshare.client;

import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * What a fresh node's mount does before and while its job starts, without FUSE: resolve the
 * snapshot (a view look-up for a view name), fetch its tree, then open and read each file of a
 * working set in order, with the mount's own layers (memory cache, disk cache, verifier, HTTP),
 * its directory batches and its read-ahead. For load tests: many of these at once stand for many
 * nodes. Every chunk read is checked again against its digest here, so a result says the bytes
 * were exact, not only that nothing failed.
 */
public final class ColdStart {
    /** The kernel's largest FUSE read: files are read in requests of this size, as a job's reads arrive. */
    static final int READ_SIZE = 128 * 1024;
    /** Same as a mount's: threads for read-ahead and directory batches. */
    private static final int FETCH_THREADS = 4;

    /**
     * @param server           the URL a node would mount from (an HTTP cache or the origin)
     * @param snapshot         a snapshot id or a view name, as {@code mount --snapshot} takes
     * @param cacheDir         this client's own disk cache (empty for a cold start)
     * @param files            the working set, in the order the job opens its files; empty means every
     *                         file whole, in tree order, up to {@code maxFiles}
     * @param maxFiles         at most this many files are read
     * @param memoryCacheBytes the memory cache's bound
     * @param timeout          per request, as a mount's
     */
    public record Options(URI server, String token, String snapshot, Path cacheDir, List<FileRead> files, int maxFiles,
                          long memoryCacheBytes, Duration timeout) {
        public Options {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(snapshot, "snapshot");
            Objects.requireNonNull(cacheDir, "cacheDir");
            files = List.copyOf(files);
            if (maxFiles < 1) {
                throw new IllegalArgumentException("maxFiles must be >= 1, got " + maxFiles);
            }
            if (memoryCacheBytes < 0) {
                throw new IllegalArgumentException("memoryCacheBytes must be >= 0, got " + memoryCacheBytes);
            }
        }
    }

    /**
     * One file of a working set: its absolute path in the snapshot, and how many of its first bytes
     * the job reads ({@link #WHOLE} for all). A prefix stands for a library the job maps and
     * touches only in part: the amount is what its mappings held, the offsets are not kept.
     */
    public record FileRead(String path, long bytes) {
        public static final long WHOLE = Long.MAX_VALUE;

        public FileRead {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("a working set names absolute paths, got " + path);
            }
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes read of " + path + " must be >= 0, got " + bytes);
            }
        }

        public static FileRead whole(String path) {
            return new FileRead(path, WHOLE);
        }

        /** {@code PATH} (read whole) or {@code PATH<TAB>BYTES}, as a working-set list holds them. */
        public static FileRead parse(String line) {
            int tab = line.lastIndexOf('\t');
            if (tab < 0) {
                return whole(line.strip());
            }
            try {
                return new FileRead(line.substring(0, tab).strip(), Long.parseLong(line.substring(tab + 1).strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not PATH or PATH<TAB>BYTES: " + line);
            }
        }
    }

    /**
     * What one client did.
     *
     * @param snapshotId       the snapshot it resolved
     * @param files            files read
     * @param chunks           chunks read (each checked against its digest)
     * @param bytes            file bytes read (whole chunks)
     * @param wrongChunks      chunks whose bytes did not hash to their digest (must be 0)
     * @param objectsFetched   objects that came over the network, tree included
     * @param wireBytes        compressed bytes that came over the network
     * @param requests         HTTP requests sent, retries included
     * @param overloadRetries  requests sent again after a 503 with Retry-After
     */
    public record Result(String snapshotId, int files, long chunks, long bytes, long wrongChunks, long objectsFetched,
                         long wireBytes, long requests, long overloadRetries) {
    }

    private ColdStart() {
    }

    /**
     * Runs one cold start; {@code latencyNanos} hears how long each object took to arrive from the
     * network. A failure is a {@link ClientException} (or another IOException) after which the
     * counts are lost, as a job's would be.
     */
    public static Result run(Options options, LongConsumer latencyNanos) throws IOException {
        Counters counters = new Counters();
        ServerClient client = new ServerClient(options.server(), options.token(), options.timeout(), counters);
        CacheDir cacheDir = CacheDir.open(options.cacheDir());
        HttpObjectSource http = new HttpObjectSource(client);
        ObjectSource network = new VerifyingObjectSource(new TimedObjectSource(http, latencyNanos),
                client.server().toString());
        DiskCache disk = DiskCache.open(cacheDir, network, counters);
        ExecutorService fetchers = Executors.newFixedThreadPool(FETCH_THREADS, daemonThreads());
        try {
            Snapshot snapshot = new SnapshotResolver(client, cacheDir.snapshots()).resolve(options.snapshot());
            SnapshotTree tree = new MetadataLoader(disk, client::tree, fetchers).load(snapshot);
            MemoryCache memory = new MemoryCache(disk, options.memoryCacheBytes(), counters);
            FileReader reader = new FileReader(memory, snapshot.chunkSize(), fetchers);
            // As a mount does: a cold directory's batch goes as its cacheable GET form.
            DirectoryBatcher batcher = new DirectoryBatcher(tree, memory, disk::holds, fetchers,
                    DirectoryBatcher.DEFAULT_MAX_BATCH_BYTES, http::offerDirectory, null, () -> false);
            List<FileRead> reads = options.files().isEmpty() ? everyFile(tree, options.maxFiles())
                    : options.files().subList(0, Math.min(options.files().size(), options.maxFiles()));
            int files = 0;
            long chunks = 0;
            long bytes = 0;
            long wrong = 0;
            for (FileRead read : reads) {
                String path = read.path();
                if (!(tree.lookup(path) instanceof Entry.File file)) {
                    throw new ClientException(ClientException.BAD_NAME, path + " is not a file in snapshot "
                            + snapshot.id() + "; the working set names files only");
                }
                batcher.firstRead(path, file);
                List<Digest> fileChunks = tree.chunks(file);
                long upTo = Math.min(file.size(), read.bytes());
                int used = upTo == 0 ? 1 : (int) ((upTo - 1) / snapshot.chunkSize()) + 1;
                wrong += readAndCheck(reader, new ReadState(path, file, fileChunks), snapshot.chunkSize(), used);
                files++;
                chunks += used;
                bytes += Math.min(file.size(), (long) used * snapshot.chunkSize());
            }
            ClientStats stats = counters.snapshot();
            return new Result(snapshot.id(), files, chunks, bytes, wrong, stats.objectsFetched(), stats.bytesFetched(),
                    stats.requests(), counters.overloadRetries());
        } finally {
            fetchers.shutdownNow();
            try {
                fetchers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Reads the file's first {@code chunks} chunks start to end in FUSE-sized reads, as a job would,
     * and checks each chunk's bytes against its digest once they are all in; holds one chunk, not
     * the whole file.
     *
     * @return how many chunks did not hash to their digest
     */
    private static long readAndCheck(FileReader reader, ReadState file, int chunkSize, int chunks) throws IOException {
        byte[] chunk = new byte[(int) Math.min(chunkSize, file.size())];
        long wrong = 0;
        for (int i = 0; i < chunks; i++) {
            long chunkStart = (long) i * chunkSize;
            int length = Chunking.chunkLength(file.size(), chunkSize, i);
            int filled = 0;
            while (filled < length) {
                int at = filled;
                int n = reader.read(file, chunkStart + filled, Math.min(READ_SIZE, length - filled),
                        (offset, src, from, count) -> System.arraycopy(src, from, chunk, at + (int) offset, count));
                if (n <= 0) {
                    throw new IOException(file.path() + " ended at " + (chunkStart + filled) + " of " + file.size()
                            + " bytes");
                }
                filled += n;
            }
            if (!Digest.of(chunk, 0, length).equals(file.chunks().get(i))) {
                wrong++;
            }
        }
        return wrong;
    }

    /** Every regular file of the tree, depth first in name order, up to {@code max}. */
    private static List<FileRead> everyFile(SnapshotTree tree, int max) throws IOException {
        List<FileRead> files = new ArrayList<>();
        Deque<String> dirs = new ArrayDeque<>(List.of(""));
        while (!dirs.isEmpty() && files.size() < max) {
            String dir = dirs.pop();
            Entry.Dir entry = dir.isEmpty() ? tree.root() : (Entry.Dir) tree.lookup(dir);
            List<String> subdirs = new ArrayList<>();
            for (Entry e : tree.list(entry).entries()) {
                if (e instanceof Entry.File && files.size() < max) {
                    files.add(FileRead.whole(dir + "/" + e.name()));
                } else if (e instanceof Entry.Dir) {
                    subdirs.add(dir + "/" + e.name());
                }
            }
            for (int i = subdirs.size() - 1; i >= 0; i--) {
                dirs.push(subdirs.get(i));
            }
        }
        return files;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "stackshare-load-fetch-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
