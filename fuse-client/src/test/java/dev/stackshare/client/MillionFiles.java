package dev.stackshare.client;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The metadata of a snapshot of {@code packages × dirs × files} files shaped like a stack (about
 * ten files a directory, names like a Python package's), made cheaply and deterministically: a
 * first pass computes the directory digests bottom-up keeping only digests, and the tree answer
 * regenerates each directory object while it streams, so the generator holds almost nothing.
 *
 * <p>{@code main} loads it the way a mount does (tree answer → disk cache → {@link SnapshotTree})
 * in a JVM whose heap the caller bounds, and prints the heap the loaded tree keeps.
 */
final class MillionFiles {
    private final int packages;
    private final int dirs;
    private final int files;
    private final Digest[][] subDigests;
    private final Digest[] packageDigests;
    private final Digest top;

    MillionFiles(int packages, int dirs, int files) {
        this.packages = packages;
        this.dirs = dirs;
        this.files = files;
        subDigests = new Digest[packages][dirs];
        packageDigests = new Digest[packages];
        List<Entry> topEntries = new ArrayList<>();
        for (int p = 0; p < packages; p++) {
            for (int d = 0; d < dirs; d++) {
                subDigests[p][d] = Digest.of(subDirectory(p, d));
            }
            packageDigests[p] = Digest.of(packageDirectory(p));
            topEntries.add(new Entry.Dir(String.format("package_%04d", p), 0755, 4096, 0, packageDigests[p]));
        }
        top = Digest.of(DirectoryCodec.encode(new Directory(topEntries)));
    }

    long fileCount() {
        return (long) packages * dirs * files;
    }

    Snapshot snapshot() {
        return new Snapshot("00000000000f4240", "default", Instant.parse("2025-01-01T00:00:00Z"), 512 * 1024, top,
                List.of(new Snapshot.Root("/stack", Snapshot.RootKind.STABLE, top, fileCount(), fileCount() * 4000)),
                Map.of());
    }

    /** Streams every directory object, as {@code GET /v1/snapshots/{id}/tree} would. */
    void tree(String snapshotId, ServerClient.ItemSink sink) throws IOException {
        List<Entry> topEntries = new ArrayList<>();
        for (int p = 0; p < packages; p++) {
            topEntries.add(new Entry.Dir(String.format("package_%04d", p), 0755, 4096, 0, packageDigests[p]));
        }
        sink.accept(new BatchStream.Item(top, Compression.compress(DirectoryCodec.encode(new Directory(topEntries)))));
        for (int p = 0; p < packages; p++) {
            sink.accept(new BatchStream.Item(packageDigests[p], Compression.compress(packageDirectory(p))));
            for (int d = 0; d < dirs; d++) {
                sink.accept(new BatchStream.Item(subDigests[p][d], Compression.compress(subDirectory(p, d))));
            }
        }
    }

    private byte[] packageDirectory(int p) {
        List<Entry> entries = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            entries.add(new Entry.Dir(String.format("subpackage_%05d", d), 0755, 4096, 1_700_000_000_000_000_000L,
                    subDigests[p][d]));
        }
        return DirectoryCodec.encode(new Directory(entries));
    }

    private byte[] subDirectory(int p, int d) {
        List<Entry> entries = new ArrayList<>();
        for (int f = 0; f < files; f++) {
            byte[] content = ByteBuffer.allocate(12).putInt(p).putInt(d).putInt(f).array();
            entries.add(new Entry.File(String.format("module_%02d_%d.py", f, d % 97), 0644, 1000 + f * 37L,
                    1_700_000_000_123_456_789L + f, Digest.of(content)));
        }
        return DirectoryCodec.encode(new Directory(entries));
    }

    /** Args: packages dirs files cacheDir. Prints "files N heap-bytes M estimated-bytes E" (the tree's own estimate). */
    public static void main(String[] args) throws Exception {
        MillionFiles shape = new MillionFiles(Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]));
        Path cache = Path.of(args[3]); // created private (0700) by the cache itself
        ObjectSource refuses = digest -> {
            throw new IOException("not in this test's snapshot: " + digest);
        };
        DiskCache disk = DiskCache.open(cache, refuses, new Counters());
        SnapshotTree tree = new MetadataLoader(disk, shape::tree).load(shape.snapshot());
        long used = usedAfterGc();
        if (tree.objectCount() < shape.packages * shape.dirs) {
            throw new AssertionError("loaded only " + tree.objectCount() + " directories");
        }
        tree.lookup(String.format("/package_%04d/subpackage_%05d/module_03_%d.py", 1, 2, 2));
        System.out.println("files " + shape.fileCount() + " heap-bytes " + used + " estimated-bytes " + tree.heapBytes());
        if (args.length > 4) {
            walk(tree, disk, Path.of(args[4]));
        }
    }

    /**
     * Mounts the tree and lists every file through the kernel with find(1), as a job walking the
     * whole stack would; prints "walked N heap-bytes M" (the heap after the walk, collected).
     */
    private static void walk(SnapshotTree tree, ObjectSource source, Path mountpoint) throws Exception {
        Counters counters = new Counters();
        try (MountedSnapshot mount = Mounter.start(tree, source, mountpoint, counters)) {
            Process find = new ProcessBuilder("find", mount.mountpoint().toString(), "-type", "f")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            long walked;
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(find.getInputStream())).lines()) {
                walked = lines.count();
            }
            if (find.waitFor() != 0) {
                throw new AssertionError("find failed");
            }
            System.out.println("walked " + walked + " heap-bytes " + usedAfterGc() + " requests "
                    + mount.stats().fuseOperations());
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
