package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts a snapshot: checks the mountpoint, resolves the snapshot, makes its metadata local,
 * then starts libfuse and returns once the kernel shows the mount.
 *
 * <p>The object layers, top to bottom: memory cache, disk cache, verifier, HTTP.
 */
public final class Mounter {
    private static final Logger log = LoggerFactory.getLogger(Mounter.class);
    /** Per request; the tree of a large snapshot streams after its headers, so this is not a transfer bound. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Snapshots never change, so the kernel may cache entries, attributes, misses and pages for long. */
    public static final String KERNEL_CACHING_OPTIONS = "entry_timeout=3600,attr_timeout=3600,negative_timeout=3600,kernel_cache";

    static String[] fuseOptions(String snapshotId) {
        // The snapshot id in the source names the mount in /proc/mounts, so `exec` can reuse it.
        return new String[] {"-o", "ro,default_permissions,fsname=" + Mounts.source(snapshotId)
                + ",subtype=stackshare," + KERNEL_CACHING_OPTIONS};
    }

    private static final long MOUNT_WAIT_MILLIS = 10_000;
    /** How often a lingering mount looks whether its time is up. */
    private static final long LINGER_CHECK_SECONDS = 1;
    /** How often a mount rewrites its report for `stackshare status`. */
    private static final long REPORT_SECONDS = 5;
    /** How long an unmount waits for fetched objects still on their way to the disk cache. */
    private static final long CACHE_FLUSH_MILLIS = 30_000;
    /** When a mount first walks the disk cache to learn its size (and evict past the bound). */
    static final Duration FIRST_CACHE_WALK = Duration.ofSeconds(30);
    /** Disk cache walks and evictions: one at a time, off every reader's thread. */
    private static final ScheduledExecutorService HOUSEKEEPING =
            Executors.newSingleThreadScheduledExecutor(daemonThreads("stackshare-cache"));
    /** Threads for read-ahead and directory batches: each holds one keep-alive connection while it fetches. */
    private static final int FETCH_THREADS = 4;
    private static final int GUESS_THREADS = 2;

    private Mounter() {
    }

    /**
     * The disk cache when none is given: {@code $XDG_CACHE_HOME/stackshare}, else
     * {@code ~/.cache/stackshare}. Per user, since the cache is private (mode 0700).
     */
    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "stackshare");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "stackshare");
    }

    /** A live mount a {@code mount} command uses instead of mounting again. */
    public record Reused(String snapshotId, Path mountpoint) {
    }

    /**
     * Whether the mountpoint already holds what is asked for: this user's live mount of the same
     * snapshot, which then stops lingering and serves the new job (a prologue may run {@code mount}
     * before every job). A lingering mount of another snapshot (the view moved on) is unmounted,
     * so the new one can take its place; anything else is left for {@link #mount} to refuse.
     */
    public static Optional<Reused> reuse(MountOptions options) throws IOException {
        Path mountpoint = MountTable.canonical(options.mountpoint());
        Optional<String> live = Mounts.liveSnapshotOn(mountpoint);
        if (live.isEmpty()) {
            return Optional.empty();
        }
        MountLinger linger = MountLinger.of(options.cacheDir(), mountpoint);
        String wanted = Snapshot.isId(options.snapshot()) ? options.snapshot()
                : new ServerClient(options.servers(), options.token(), requestTimeout(options), new Counters())
                        .snapshot(options.snapshot()).id();
        if (wanted.equals(live.get())) {
            linger.join();
            return Optional.of(new Reused(wanted, mountpoint));
        }
        if (linger.lingering()) {
            log.info("{} holds snapshot {}, lingering; unmounting it for snapshot {}", mountpoint, live.get(), wanted);
            Mounts.unmount(mountpoint);
        }
        return Optional.empty();
    }

    /**
     * Mounts the snapshot and returns once the kernel shows the mount. Checks first that this user
     * can mount FUSE on this node ({@link FuseAccess}) and may use the cache dir ({@link CacheDir}),
     * and cleans a stale mount on the mountpoint; every failure is a {@link ClientException} with a
     * one-line message.
     */
    public static MountedSnapshot mount(MountOptions options) throws IOException {
        long started = System.nanoTime();
        FuseAccess.check();
        Path mountpoint = prepareMountpoint(options.mountpoint());
        CacheDir cacheDir = CacheDir.open(options.cacheDir());
        Counters counters = new Counters();
        ServerClient client = new ServerClient(options.servers(), options.token(), requestTimeout(options), counters);
        HttpObjectSource http = new HttpObjectSource(client);
        ObjectSource network = new VerifyingObjectSource(http, client.server().toString());
        DiskCache disk = DiskCache.open(cacheDir, network, counters);
        disk.writeBehind(Executors.newSingleThreadExecutor(daemonThreads("stackshare-cache-writer")));
        CacheEvictor evictor = disk.bound(options.cacheSizeBytes(), Clock.systemUTC(), HOUSEKEEPING);
        // The first walk of the cache waits until the job has started: it is not urgent, the job is.
        HOUSEKEEPING.schedule(evictor::schedule, FIRST_CACHE_WALK.toMillis(), TimeUnit.MILLISECONDS);
        SnapshotResolver resolver = new SnapshotResolver(client, cacheDir.snapshots());
        Snapshot snapshot = MountRetry.call(options.fetchDeadline(), "resolving snapshot " + options.snapshot(),
                () -> resolver.resolve(options.snapshot()));
        // Asked for while the metadata loads; its objects are fetched while the job starts.
        CompletableFuture<List<Digest>> trace = options.prefetchTrace() ? lookUpTrace(client, snapshot.id()) : null;
        AtomicReference<Future<?>> metadataWritten = new AtomicReference<>(CompletableFuture.completedFuture(null));
        MetadataLoader loader = new MetadataLoader(disk, client::tree, r -> metadataWritten.set(HOUSEKEEPING.submit(r)));
        SnapshotTree tree = MountRetry.call(options.fetchDeadline(), "loading the tree of snapshot " + snapshot.id(),
                () -> loader.load(snapshot));
        long metadataFetched = counters.snapshot().objectsFetched();
        // Retries sit under the memory cache, so readers of one object share one patient fetch.
        ObjectSource patient = new RetryingObjectSource(disk, options.fetchDeadline(), counters);
        long memoryBytes = options.memoryCacheBytes() == MountOptions.MEMORY_CACHE_FITTED
                ? MemoryBudget.cacheBytes(Runtime.getRuntime().maxMemory(), tree.heapBytes())
                : options.memoryCacheBytes();
        MemoryCache memory = new MemoryCache(patient, memoryBytes, counters);
        TraceRecorder recorder = options.recordTrace() ? new TraceRecorder() : null;
        if (trace != null) {
            trace.thenAcceptAsync(digests -> prefetchTrace(snapshot.id(), digests, memory, disk, http),
                    r -> daemonThreads("stackshare-trace").newThread(r).start());
        }
        // A trace says what the job reads; guesses would only add to it. Until its answer is in, no guess.
        BooleanSupplier guessing = () -> trace == null || trace.isDone() && trace.join().isEmpty();
        // Through HTTP caches, a guess that only a POST can ask for would reach the origin from every node.
        boolean throughCaches = client.servers().size() > 1;
        MountedSnapshot mounted = start(tree, memory, disk::holds, http::offerDirectory, guessing, throughCaches, recorder,
                recorder == null ? null : () -> publishTrace(client, snapshot.id(), recorder), mountpoint, counters);
        mounted.finishBeforeClose(metadataWritten.get());
        MountReports.Writer report = new MountReports.Writer(new MountReports(cacheDir.mounts()), mountpoint,
                snapshot.id(), client.servers().stream().map(URI::toString).toList(), counters::snapshot, Clock.systemUTC());
        ScheduledFuture<?> reporting = HOUSEKEEPING.scheduleWithFixedDelay(report::write, 0, REPORT_SECONDS, TimeUnit.SECONDS);
        MountLinger linger = MountLinger.of(new MountReports(cacheDir.mounts()), mountpoint);
        linger.started(); // one user: the job this mount is for
        ScheduledFuture<?> lingering = HOUSEKEEPING.scheduleWithFixedDelay(new LetGo(linger, mountpoint),
                LINGER_CHECK_SECONDS, LINGER_CHECK_SECONDS, TimeUnit.SECONDS);
        mounted.flushBeforeClose(() -> {
            lingering.cancel(false);
            disk.flush(CACHE_FLUSH_MILLIS);
            reporting.cancel(false);
            report.remove();
            try {
                linger.remove();
            } catch (IOException e) {
                log.debug("cannot remove the linger file of {}: {}", mountpoint, e.toString());
            }
        });
        log.info("mount ready: snapshot {} on {}; {} metadata objects, {} fetched over the network; memory cache {} MB; {} ms",
                snapshot.id(), mountpoint, tree.objectCount(), metadataFetched, memoryBytes >> 20,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return mounted;
    }

    /**
     * Mounts an already loaded tree whose content comes from {@code source}; the seam tests use
     * to mount objects they built themselves.
     */
    static MountedSnapshot start(SnapshotTree tree, ObjectSource source, Path requestedMountpoint, Counters counters)
            throws IOException {
        return start(tree, source, null, null, () -> false, false, null, null, requestedMountpoint, counters);
    }

    /**
     * As above; when {@code source} is a {@link MemoryCache} and {@code onDisk} tells what the disk
     * cache holds, the first open in a directory fetches the directory's small files in one batch,
     * and, while {@code guessing} says so, what the job will likely read next is fetched ahead
     * ({@link SubpackageGuess}, {@link SiblingFiles}; only what a cacheable GET brings when
     * {@code throughCaches}). With a {@code trace}, every chunk a read uses is recorded; {@code afterUnmount} (may be null)
     * runs on the filesystem's thread once it is unmounted, before {@link MountedSnapshot#awaitUnmounted} returns.
     */
    static MountedSnapshot start(SnapshotTree tree, ObjectSource source, Predicate<Digest> onDisk,
                                 DirectoryBatcher.Offers offers, BooleanSupplier guessing, boolean throughCaches,
                                 TraceRecorder trace,
                                 Runnable afterUnmount,
                                 Path requestedMountpoint, Counters counters) throws IOException {
        Path mountpoint = MountTable.canonical(requestedMountpoint);
        ExecutorService readAhead = Executors.newFixedThreadPool(FETCH_THREADS, daemonThreads("stackshare-fetch"));
        // Guessed batches have threads of their own, so the job's own batches never queue behind them.
        ExecutorService guesses = Executors.newFixedThreadPool(GUESS_THREADS, daemonThreads("stackshare-guess"));
        FileReader reader = new FileReader(source, tree.snapshot().chunkSize(), readAhead, trace);
        DirectoryBatcher batcher = source instanceof MemoryCache memory && onDisk != null
                ? new DirectoryBatcher(tree, memory, onDisk, readAhead, DirectoryBatcher.DEFAULT_MAX_BATCH_BYTES, offers,
                        guesses, guessing, throughCaches)
                : null;
        Runnable afterEnd = () -> {
            readAhead.shutdown();
            guesses.shutdownNow();
            if (afterUnmount != null) {
                afterUnmount.run();
            }
        };
        if (KernelSessionMount.chosen()) {
            try {
                SnapshotKernelFileSystem fs = new SnapshotKernelFileSystem(tree, reader, Owner.ofCurrentProcess(), batcher);
                Thread loop = KernelSessionMount.start(fs, mountpoint, tree.snapshot().id(), counters, afterEnd);
                return new MountedSnapshot(tree.snapshot(), mountpoint, counters, fs::filesBeingRead, loop, readAhead);
            } catch (IOException | RuntimeException e) {
                readAhead.shutdownNow();
                guesses.shutdownNow();
                throw e;
            }
        }
        SnapshotFileSystem fs;
        try {
            fs = SnapshotFileSystem.of(tree, reader, Owner.ofCurrentProcess(), batcher, counters, KernelRelease.running());
        } catch (IOException | RuntimeException | LinkageError e) {
            readAhead.shutdownNow();
            guesses.shutdownNow();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new ClientException(ClientException.MOUNT_FAILED, "cannot load libfuse: " + e.getMessage()
                    + "; install libfuse2 (Debian: apt-get install libfuse2)", e);
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // libfuse's loop blocks until the unmount: on a thread of our own, watched below until the mount appears.
        Thread loop = new Thread(() -> {
            try {
                FuseSessionLoop.run(fs, mountpoint, fuseOptions(tree.snapshot().id()));
            } catch (RuntimeException | LinkageError e) {
                failure.set(e);
            } finally {
                if (failure.get() == null) {
                    afterEnd.run();
                } else {
                    readAhead.shutdown();
                    guesses.shutdownNow();
                }
            }
        }, "stackshare-fuse " + mountpoint);
        loop.setDaemon(true);
        loop.start();
        awaitMounted(mountpoint, loop, failure, fs);
        return new MountedSnapshot(tree.snapshot(), mountpoint, counters, fs::filesBeingRead, loop, readAhead);
    }

    /** Unmounts a lingering mount once its linger has run out; a mount still in use stays, and is asked again. */
    private static final class LetGo implements Runnable {
        private final MountLinger linger;
        private final Path mountpoint;
        private boolean toldBusy;

        LetGo(MountLinger linger, Path mountpoint) {
            this.linger = linger;
            this.mountpoint = mountpoint;
        }

        @Override
        public void run() {
            if (!linger.expired(Clock.systemUTC())) {
                return;
            }
            try {
                Mounts.unmount(mountpoint);
                log.info("unmounted {}: its linger ran out with no new mount", mountpoint);
            } catch (IOException e) {
                if (!toldBusy) {
                    log.info("{}'s linger ran out but it cannot be unmounted yet: {}", mountpoint, e.getMessage());
                    toldBusy = true;
                }
            }
        }
    }

    /** One try never outlasts the fetch deadline, so a stalled server costs a read at most about twice it. */
    static Duration requestTimeout(MountOptions options) {
        return options.fetchDeadline().compareTo(REQUEST_TIMEOUT) < 0 ? options.fetchDeadline() : REQUEST_TIMEOUT;
    }

    private static CompletableFuture<List<Digest>> lookUpTrace(ServerClient client, String snapshotId) {
        CompletableFuture<List<Digest>> trace = new CompletableFuture<>();
        daemonThreads("stackshare-trace").newThread(() -> {
            try {
                trace.complete(client.trace(snapshotId));
            } catch (IOException | RuntimeException e) {
                log.info("no trace prefetch: cannot fetch the trace of snapshot {}: {}", snapshotId, e.getMessage());
                trace.complete(List.of());
            }
        }).start();
        return trace;
    }

    /**
     * Fetches, in one request in the order the recorded job read them, the traced objects the disk
     * cache lacks: the trace's pack ({@code GET /v1/packs/{digest of the trace}}, a sequential read
     * on the server) when the node lacks nearly all of them, else a batch of the missing ones.
     */
    private static void prefetchTrace(String snapshotId, List<Digest> digests, MemoryCache memory, DiskCache disk,
                                      HttpObjectSource http) {
        if (digests.isEmpty()) {
            return;
        }
        List<Digest> missing = digests.stream().filter(d -> !disk.holds(d)).toList();
        if (missing.size() * 10L >= digests.size() * 9L) {
            http.offerPack(Digest.of(Digest.listText(digests)), digests);
        }
        long started = System.nanoTime();
        int claimed = memory.prefetch(missing, Runnable::run);
        log.info("trace prefetch of snapshot {}: {} objects traced, {} not on disk, {} fetched in one request in {} ms",
                snapshotId, digests.size(), missing.size(), claimed, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static void publishTrace(ServerClient client, String snapshotId, TraceRecorder recorder) {
        List<Digest> digests = recorder.digests();
        if (digests.isEmpty()) {
            return;
        }
        try {
            client.putTrace(snapshotId, digests);
            log.info("published a trace of {} objects for snapshot {}", digests.size(), snapshotId);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot publish the trace of snapshot {}: {}", snapshotId, e.getMessage());
        }
    }

    /** Checks the mountpoint, cleaning a stale mount on it, and returns its canonical path. */
    static Path prepareMountpoint(Path requested) throws IOException {
        Path path = MountTable.canonical(requested);
        var existing = MountTable.find(path);
        if (existing.isPresent()) {
            if (Mounts.isStale(path)) {
                log.info("{} holds a stale {} mount (its process died); cleaning it", path, existing.get().type());
                Mounts.cleanStale(path);
            } else {
                throw new ClientException(ClientException.ALREADY_MOUNTED, path + " is already mounted ("
                        + existing.get().type() + "); unmount it first with `stackshare unmount " + path + "`");
            }
        }
        if (!Files.exists(path)) {
            throw new ClientException(ClientException.BAD_MOUNTPOINT, "mountpoint " + path
                    + " does not exist; create it with mkdir -p " + path);
        }
        if (!Files.isDirectory(path)) {
            throw new ClientException(ClientException.BAD_MOUNTPOINT, "mountpoint " + path
                    + " is not a directory; give an empty directory");
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
            if (children.iterator().hasNext()) {
                throw new ClientException(ClientException.BAD_MOUNTPOINT, "mountpoint " + path
                        + " is not empty; mounting would hide its files, give an empty directory");
            }
        }
        return path;
    }

    /** Polls the mount table: the mount shows there within tens of milliseconds. */
    private static void awaitMounted(Path mountpoint, Thread loop, AtomicReference<Throwable> failure,
                                     SnapshotFileSystem fs) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MOUNT_WAIT_MILLIS);
        while (true) {
            var mount = MountTable.find(MountTable.read(), mountpoint);
            if (mount.isPresent() && Mounts.isStackshare(mount.get())) {
                return;
            }
            if (!loop.isAlive()) {
                Throwable cause = failure.get();
                throw new ClientException(ClientException.MOUNT_FAILED, "cannot mount FUSE on " + mountpoint + ": "
                        + (cause == null ? "libfuse stopped" : describe(cause))
                        + "; see libfuse's message above (is /dev/fuse usable by this user?)", cause);
            }
            if (System.nanoTime() > deadline) {
                // libfuse may still be coming up: make sure nothing is left mounted behind the error.
                try {
                    Mounts.unmount(mountpoint);
                } catch (IOException e) {
                    log.debug("nothing to unmount at {}: {}", mountpoint, e.getMessage());
                }
                throw new ClientException(ClientException.MOUNT_FAILED, "the FUSE mount on " + mountpoint
                        + " did not appear within " + MOUNT_WAIT_MILLIS + " ms");
            }
            sleep();
        }
    }

    private static String describe(Throwable t) {
        StringBuilder s = new StringBuilder(String.valueOf(t.getMessage()));
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            s.append(": ").append(c.getMessage());
        }
        return s.toString();
    }

    private static void sleep() throws ClientException {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(ClientException.INTERRUPTED, "interrupted while waiting for the mount");
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
