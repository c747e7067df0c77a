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
     * @param files            the working set: absolute paths in the snapshot, in the order the job opens
     *                         them; empty means every file, in tree order, up to {@code maxFiles}
     * @param maxFiles         at most this many files are read
     * @param memoryCacheBytes the memory cache's bound
     * @param timeout          per request, as a mount's
     */
    public record Options(URI server, String token, String snapshot, Path cacheDir, List<String> files, int maxFiles,
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
     * What one client did.
     *
     * @param snapshotId       the snapshot it resolved
     * @param files            files read whole
     * @param chunks           chunks read (each checked against its digest)
     * @param bytes            file bytes read
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
        ObjectSource network = new VerifyingObjectSource(new TimedObjectSource(new HttpObjectSource(client),
                latencyNanos), client.server().toString());
        DiskCache disk = DiskCache.open(cacheDir, network, counters);
        ExecutorService fetchers = Executors.newFixedThreadPool(FETCH_THREADS, daemonThreads());
        try {
            Snapshot snapshot = new SnapshotResolver(client, cacheDir.snapshots()).resolve(options.snapshot());
            SnapshotTree tree = new MetadataLoader(disk, client::tree, fetchers).load(snapshot);
            MemoryCache memory = new MemoryCache(disk, options.memoryCacheBytes(), counters);
            FileReader reader = new FileReader(memory, snapshot.chunkSize(), fetchers);
            DirectoryBatcher batcher = new DirectoryBatcher(tree, memory, disk::holds, fetchers,
                    DirectoryBatcher.DEFAULT_MAX_BATCH_BYTES);
            List<String> paths = options.files().isEmpty() ? everyFile(tree, options.maxFiles())
                    : options.files().subList(0, Math.min(options.files().size(), options.maxFiles()));
            int files = 0;
            long chunks = 0;
            long bytes = 0;
            long wrong = 0;
            for (String path : paths) {
                if (!(tree.lookup(path) instanceof Entry.File file)) {
                    throw new ClientException(ClientException.BAD_NAME, path + " is not a file in snapshot "
                            + snapshot.id() + "; the working set names files only");
                }
                batcher.opened(path, file);
                List<Digest> fileChunks = tree.chunks(file);
                byte[] content = readWhole(reader, new OpenFile(path, file, fileChunks));
                for (int i = 0; i < fileChunks.size(); i++) {
                    int from = i * snapshot.chunkSize();
                    int length = Chunking.chunkLength(file.size(), snapshot.chunkSize(), i);
                    if (!Digest.of(content, from, length).equals(fileChunks.get(i))) {
                        wrong++;
                    }
                }
                files++;
                chunks += fileChunks.size();
                bytes += content.length;
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

    /** The file as a job reading it start to end sees it, in FUSE-sized reads. */
    private static byte[] readWhole(FileReader reader, OpenFile file) throws IOException {
        if (file.size() > Integer.MAX_VALUE - 8) {
            throw new IOException(file.path() + " is too big to read whole in a load test (" + file.size() + " bytes)");
        }
        byte[] content = new byte[(int) file.size()];
        int at = 0;
        while (at < content.length) {
            int start = at;
            int n = reader.read(file, at, Math.min(READ_SIZE, content.length - at),
                    (offset, src, from, length) -> System.arraycopy(src, from, content, start + (int) offset, length));
            if (n <= 0) {
                throw new IOException(file.path() + " ended at " + at + " of " + content.length + " bytes");
            }
            at += n;
        }
        return content;
    }

    /** Every regular file of the tree, depth first in name order, up to {@code max}. */
    private static List<String> everyFile(SnapshotTree tree, int max) throws IOException {
        List<String> files = new ArrayList<>();
        Deque<String> dirs = new ArrayDeque<>(List.of(""));
        while (!dirs.isEmpty() && files.size() < max) {
            String dir = dirs.pop();
            Entry.Dir entry = dir.isEmpty() ? tree.root() : (Entry.Dir) tree.lookup(dir);
            List<String> subdirs = new ArrayList<>();
            for (Entry e : tree.list(entry).entries()) {
                if (e instanceof Entry.File && files.size() < max) {
                    files.add(dir + "/" + e.name());
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
