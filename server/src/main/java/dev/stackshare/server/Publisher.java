package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Snapshot;
import dev.stackshare.protocol.Snapshot.RootKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Takes snapshots: scans every root, builds the top tree, records the snapshot. One at a time. */
final class Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    /** Files the warm-up walks see in all: enough calls for the JIT's highest tier (measured on the corpus stack). */
    static final long WARM_UP_FILES = 200_000;
    static final int MAX_WARM_UP_WALKS = 6;

    private final RootSet roots;
    private final TreeScanner scanner;
    private final FrozenStore store;
    private final StableLocations stable;
    private final SnapshotStore snapshots;
    private final int chunkSize;
    private final Clock clock;
    private final LatencyHistogram durations = new LatencyHistogram();
    private volatile long lastPublishMillis = -1;
    private final Random nonces;
    private final Map<String, String> environment;
    private final Path indexFile;
    private final PublishIndex.Clock fsClock;
    /** Work a publish leaves for after its answer: the index file, refreshing places. */
    private final Executor background;
    private final ReentrantLock lock = new ReentrantLock();
    private long counter;
    /** What the last publish (or the index file, at start) knows; replaced after each publish. */
    private PublishIndex index;
    /**
     * The index whose every stable file has its chunks' places in {@link #stable}, because a
     * publish of this server placed them; null until the first publish (the index loaded from disk
     * was placed by another process).
     */
    private PublishIndex placedIndex;

    /**
     * @param indexFile where the index persists between runs ({@link PublishIndex}); null keeps it
     *                  in memory only
     * @param fsClock   the file system's time, to stamp each index
     * @param background does what a publish leaves for after its answer (writing the index file,
     *                  refreshing places); one thread, so the work lands in order
     */
    Publisher(RootSet roots, TreeScanner scanner, FrozenStore store, StableLocations stable, SnapshotStore snapshots,
              int chunkSize, Clock clock, Random nonces, Map<String, String> environment, Path indexFile,
              PublishIndex.Clock fsClock, Executor background) {
        this.roots = roots;
        this.scanner = scanner;
        this.store = store;
        this.stable = stable;
        this.snapshots = snapshots;
        this.chunkSize = chunkSize;
        this.clock = clock;
        this.nonces = nonces;
        this.environment = Map.copyOf(environment);
        this.indexFile = indexFile;
        this.fsClock = fsClock;
        this.background = background;
        this.index = indexFile == null ? PublishIndex.empty(chunkSize) : PublishIndex.load(indexFile, chunkSize);
    }

    /** No index file; the index is stamped by the wall clock. */
    Publisher(RootSet roots, TreeScanner scanner, FrozenStore store, StableLocations stable, SnapshotStore snapshots,
              int chunkSize, Clock clock, Random nonces, Map<String, String> environment) {
        this(roots, scanner, store, stable, snapshots, chunkSize, clock, nonces, environment, null,
                () -> TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()), Runnable::run);
    }

    /** Writes the index file in the publishing thread (for tests). */
    Publisher(RootSet roots, TreeScanner scanner, FrozenStore store, StableLocations stable, SnapshotStore snapshots,
              int chunkSize, Clock clock, Random nonces, Map<String, String> environment, Path indexFile,
              PublishIndex.Clock fsClock) {
        this(roots, scanner, store, stable, snapshots, chunkSize, clock, nonces, environment, indexFile, fsClock,
                Runnable::run);
    }

    static void checkView(String view) throws ServerException {
        if (Api.LATEST.equals(view)) {
            throw new ServerException("view name \"latest\" is reserved for the newest snapshot of any view; "
                    + "pick another name");
        }
        if (!Snapshot.isViewName(view)) {
            throw new ServerException("view name \"" + view + "\" is not valid; use up to 64 letters, digits, "
                    + "'.', '_' or '-', starting with a letter or digit");
        }
    }

    Snapshot publish(String view) throws IOException {
        return publish(view, new PublishProgress());
    }

    /** How long publishes took, for /metrics. */
    LatencyHistogram.Snapshot durations() {
        return durations.snapshot();
    }

    /** How long the last publish took, or -1 before the first. */
    long lastPublishMillis() {
        return lastPublishMillis;
    }

    /** Publishes, counting into {@code progress}, which others may read meanwhile. */
    Snapshot publish(String view, PublishProgress progress) throws IOException {
        checkView(view);
        lock.lock();
        try {
            return publishLocked(view, progress);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The lock every publish holds; gc holds it too, so a sweep never sees the objects of a
     * publish in progress, which no snapshot references yet.
     */
    Lock lock() {
        return lock;
    }

    /**
     * Walks every root again without recording anything, so that the JIT has compiled the path
     * of files the index vouches for before a developer's first publish needs it (a cold JVM
     * takes a few re-publishes to reach full speed). It logs no warnings: what it would leave
     * out, the publish before it has named. A small tree is walked several times, until
     * about {@link #WARM_UP_FILES} files were seen: the JIT counts calls, not trees. Files changed
     * since are read, and their objects frozen, but the index and the snapshots stay as they
     * are. The places of the files the index vouches for go the way a re-publish sends them
     * (queued, then refreshed), so that the compiled walk meets nothing new then. The lock is let
     * go between walks, so a publish waits for one walk at most.
     */
    void warmUp() throws IOException {
        long seen = 0;
        for (int walk = 0; walk < MAX_WARM_UP_WALKS && seen < WARM_UP_FILES; walk++) {
            long files = warmUpWalk();
            if (files == 0) {
                return;
            }
            seen += files;
        }
    }

    /** One walk of every root; returns the files seen. */
    private long warmUpWalk() throws IOException {
        lock.lock();
        try {
            long files = 0;
            PublishProgress progress = new PublishProgress();
            progress.expectRoots(roots.paths().size());
            for (Path root : roots.paths()) {
                Path real = root.toRealPath();
                RootKind kind = Files.exists(real.resolve(TreeScanner.GIT), LinkOption.NOFOLLOW_LINKS)
                        ? RootKind.LIVE : RootKind.STABLE;
                Placement placement = new Placement(true);
                files += scanner.scan(real, kind, new TreeScanner.Context(index, progress, placement, false)).files();
                placement.placeQueued();
            }
            return files;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where a walk puts the places of the stable files the index vouches for: into {@link #stable}
     * at once, or queued to be refreshed later. One class for both, so that the walk's call to
     * it stays the one the JIT compiled (a second class there cost the first re-publish after a
     * start 0.3 s of recompiling).
     */
    private final class Placement implements TreeScanner.StableSink {
        private record Queued(Path rootReal, PublishIndex.Entry known) {
        }

        /** Null when placing at once. */
        private final Queue<Queued> queued;

        Placement(boolean later) {
            this.queued = later ? new ConcurrentLinkedQueue<>() : null;
        }

        @Override
        public void accept(Path file, Path rootReal, PublishIndex.Entry known) {
            if (queued == null) {
                place(file, rootReal, known);
            } else {
                queued.add(new Queued(rootReal, known)); // the index's path string, not the walk's new Path
            }
        }

        void placeQueued() {
            if (queued != null) {
                queued.forEach(q -> place(Path.of(q.known().path()), q.rootReal(), q.known()));
            }
        }

        private void place(Path file, Path rootReal, PublishIndex.Entry known) {
            stable.addFile(file, rootReal, known.size(), chunkSize, known.chunks());
        }
    }

    /** How many files the index knows; for tests and the log. */
    int indexSize() {
        lock.lock();
        try {
            return index.size();
        } finally {
            lock.unlock();
        }
    }

    private Snapshot publishLocked(String view, PublishProgress progress) throws IOException {
        long start = System.nanoTime();
        // Taken before any file is read: a file written after this has an mtime of at least this.
        long stamp = fsClock.nowNanos();
        List<Path> paths = roots.paths();
        List<Path> reals = new ArrayList<>();
        List<RootKind> kinds = new ArrayList<>();
        for (Path root : paths) {
            RootSet.checkStillThere(root);
            Path real = root.toRealPath();
            reals.add(real);
            // A git working tree is being edited: copy its content now. Anything else is read in place.
            kinds.add(Files.exists(real.resolve(TreeScanner.GIT), LinkOption.NOFOLLOW_LINKS)
                    ? RootKind.LIVE : RootKind.STABLE);
        }
        progress.expectRoots(paths.size());
        // Files the index vouches for were published before. If this server placed them, their
        // places are recorded already and are only refreshed (newest first) after the answer;
        // else they are recorded as the walk finds them, and may be served at once.
        Placement placement = new Placement(index == placedIndex);
        TreeScanner.Context context = new TreeScanner.Context(index, progress, placement);
        // Every root is walked at once; the pools interleave their work.
        List<TreeScanner.Pending> pending = new ArrayList<>();
        List<TreeScanner.RootScan> scans = new ArrayList<>();
        try {
            for (int i = 0; i < paths.size(); i++) {
                pending.add(scanner.start(reals.get(i), kinds.get(i), context));
            }
            for (TreeScanner.Pending p : pending) {
                scans.add(p.finish());
            }
        } finally {
            if (scans.size() < pending.size()) {
                pending.forEach(TreeScanner.Pending::cancel);
            }
        }

        long scanned = System.nanoTime();
        List<Snapshot.Root> records = new ArrayList<>();
        List<SyntheticTree.Placed> placed = new ArrayList<>();
        List<Runnable> commits = new ArrayList<>();
        List<PublishIndex.Entry> found = new ArrayList<>();
        long files = 0;
        long bytes = 0;
        long newObjects = 0;
        long newBytes = 0;
        long skipped = 0;
        long hashedFiles = 0;
        long hashedBytes = 0;
        for (int i = 0; i < paths.size(); i++) {
            Path root = paths.get(i);
            Path real = reals.get(i);
            TreeScanner.RootScan scan = scans.get(i);
            records.add(new Snapshot.Root(root.toString(), kinds.get(i), scan.tree(), scan.files(), scan.bytes()));
            placed.add(new SyntheticTree.Placed(root, scan.tree()));
            commits.add(() -> scan.stableFiles().forEach(
                    f -> stable.addFile(f.path(), real, f.size(), chunkSize, f.chunks())));
            found.addAll(scan.indexEntries());
            files += scan.files();
            bytes += scan.bytes();
            newObjects += scan.newObjects();
            newBytes += scan.newBytes();
            skipped += scan.skipped();
            hashedFiles += scan.hashedFiles();
            hashedBytes += scan.hashedBytes();
        }
        Digest tree = SyntheticTree.build(placed, store);
        // Stable chunks become servable only now, with every object of the snapshot in place.
        commits.forEach(Runnable::run);
        Instant createdAt = clock.instant();
        Snapshot snapshot = new Snapshot(newId(tree, createdAt, view), view, createdAt, chunkSize, tree, records, environment);
        snapshots.add(snapshot);
        long recorded = System.nanoTime();
        updateIndex(found, stamp, hashedFiles > 0);
        placedIndex = index;
        afterAnswer(() -> {
            // Under the lock, so that gc never sweeps while places are being added.
            lock.lock();
            try {
                placement.placeQueued();
            } finally {
                lock.unlock();
            }
        }, "refreshing the places of unchanged files");
        LOG.debug("publish phases: scan {} ms, record {} ms, index {} ms",
                TimeUnit.NANOSECONDS.toMillis(scanned - start), TimeUnit.NANOSECONDS.toMillis(recorded - scanned),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recorded));
        long took = System.nanoTime() - start;
        durations.record(took);
        lastPublishMillis = TimeUnit.NANOSECONDS.toMillis(took);
        long live = records.stream().filter(r -> r.kind() == RootKind.LIVE).count();
        LOG.info("published snapshot {} (view {}): {} roots ({} live, {} stable), {} files, {} bytes ({} files, {} bytes read, "
                        + "the rest known from the index); {} new objects frozen ({} bytes compressed){}, "
                        + "{} ms", snapshot.id(), view, records.size(), live, records.size() - live, files, bytes,
                hashedFiles, hashedBytes, newObjects, newBytes,
                skipped > 0 ? ", " + skipped + " entries left out (see warnings)" : "",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return snapshot;
    }

    /**
     * The index of this publish replaces the last one, and is written to disk unless nothing
     * changed (then the old one, and its older stamp, still hold for every entry). The file is
     * written after the publish has answered: until it lands, the older file on disk still holds
     * for every entry whose stat it matches. A failed write costs the next server start some
     * reading, never a wrong digest.
     */
    private void updateIndex(List<PublishIndex.Entry> found, long stamp, boolean anyRead) {
        if (!anyRead && index.sameAs(found)) {
            return;
        }
        PublishIndex fresh = PublishIndex.of(chunkSize, stamp, found);
        index = fresh;
        if (indexFile != null) {
            afterAnswer(() -> {
                try {
                    fresh.save(indexFile);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot write the publish index {} ({}); the next server start reads every file "
                            + "again", indexFile, e.toString());
                }
            }, "writing the publish index " + indexFile);
        }
    }

    /** Runs work the answer need not wait for, in order, on one background thread. */
    private void afterAnswer(Runnable work, String what) {
        try {
            background.execute(work);
        } catch (RejectedExecutionException e) {
            LOG.debug("server stopping: not {}", what);
        }
    }

    /** Tree, time, view and a counter plus a random nonce: two publishes in the same instant still differ. */
    private String newId(Digest tree, Instant createdAt, String view) {
        while (true) {
            MessageDigest sha = Digest.newSha256();
            sha.update((tree.hex() + '\n' + createdAt + '\n' + view + '\n').getBytes(StandardCharsets.UTF_8));
            sha.update(ByteBuffer.allocate(16).putLong(++counter).putLong(nonces.nextLong()).array());
            String id = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            if (!snapshots.contains(id)) {
                return id;
            }
        }
    }
}
