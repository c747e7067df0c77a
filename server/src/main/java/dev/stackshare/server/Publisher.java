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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Takes snapshots: scans every root, builds the top tree, records the snapshot. One at a time. */
final class Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    private final RootSet roots;
    private final TreeScanner scanner;
    private final FrozenStore store;
    private final StableLocations stable;
    private final SnapshotStore snapshots;
    private final int chunkSize;
    private final Clock clock;
    private final Random nonces;
    private final Map<String, String> environment;
    private final ReentrantLock lock = new ReentrantLock();
    private long counter;

    Publisher(RootSet roots, TreeScanner scanner, FrozenStore store, StableLocations stable, SnapshotStore snapshots,
              int chunkSize, Clock clock, Random nonces, Map<String, String> environment) {
        this.roots = roots;
        this.scanner = scanner;
        this.store = store;
        this.stable = stable;
        this.snapshots = snapshots;
        this.chunkSize = chunkSize;
        this.clock = clock;
        this.nonces = nonces;
        this.environment = Map.copyOf(environment);
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
        checkView(view);
        lock.lock();
        try {
            return publishLocked(view);
        } finally {
            lock.unlock();
        }
    }

    private Snapshot publishLocked(String view) throws IOException {
        long start = System.nanoTime();
        List<Snapshot.Root> records = new ArrayList<>();
        List<SyntheticTree.Placed> placed = new ArrayList<>();
        List<Runnable> commits = new ArrayList<>();
        long files = 0;
        long bytes = 0;
        long newObjects = 0;
        long newBytes = 0;
        long skipped = 0;
        for (Path root : roots.paths()) {
            RootSet.checkStillThere(root);
            Path real = root.toRealPath();
            // A git working tree is being edited: copy its content now. Anything else is read in place.
            RootKind kind = Files.exists(real.resolve(TreeScanner.GIT), LinkOption.NOFOLLOW_LINKS)
                    ? RootKind.LIVE : RootKind.STABLE;
            TreeScanner.RootScan scan = scanner.scan(real, kind);
            records.add(new Snapshot.Root(root.toString(), kind, scan.tree(), scan.files(), scan.bytes()));
            placed.add(new SyntheticTree.Placed(root, scan.tree()));
            commits.add(() -> scan.stableFiles().forEach(
                    f -> stable.addFile(f.path(), real, f.size(), chunkSize, f.chunks())));
            files += scan.files();
            bytes += scan.bytes();
            newObjects += scan.newObjects();
            newBytes += scan.newBytes();
            skipped += scan.skipped();
        }
        Digest tree = SyntheticTree.build(placed, store);
        // Stable chunks become servable only now, with every object of the snapshot in place.
        commits.forEach(Runnable::run);
        Instant createdAt = clock.instant();
        Snapshot snapshot = new Snapshot(newId(tree, createdAt, view), view, createdAt, chunkSize, tree, records, environment);
        snapshots.add(snapshot);
        long live = records.stream().filter(r -> r.kind() == RootKind.LIVE).count();
        LOG.info("published snapshot {} (view {}): {} roots ({} live, {} stable), {} files, {} bytes, {} new objects "
                        + "frozen ({} bytes compressed){}, {} ms", snapshot.id(), view, records.size(), live,
                records.size() - live, files, bytes, newObjects, newBytes,
                skipped > 0 ? ", " + skipped + " entries left out (see warnings)" : "",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return snapshot;
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
