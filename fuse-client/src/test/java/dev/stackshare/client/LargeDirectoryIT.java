package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answers larger than the session's everyday buffers, on a real mount. A directory far larger
 * than one READDIR answer: every name comes back once, in order, over many requests that resume
 * at their offsets; with READDIRPLUS the listing brings every entry's attributes, so stat-ing all
 * of them afterwards asks the mount nothing. A file read in 4 MiB calls with the mount's
 * read-ahead raised to 1 MiB (root may set it in sysfs; the kernel's own default is 128 KiB):
 * the kernel asks in READs of up to 1 MiB, answered from the session's large reply buffers.
 */
class LargeDirectoryIT {
    /** Names of about 100 bytes: some 2.5 MB of READDIRPLUS answers, more than two of the largest (1 MiB). */
    private static final int FILES = 10_000;

    @TempDir
    Path tmp;

    @Test
    void readsOfUpToAMebibyteComeBackWhole() throws IOException {
        TestSnapshot objects = new TestSnapshot();
        byte[] content = TestSnapshot.bytes(9 * 1024 * 1024 + 123, 5);
        Snapshot snapshot = objects.snapshot("0123456789abcdef", objects.file("big.bin", 0644, content));
        Counters counters = new Counters();
        Path mountpoint = Files.createDirectory(tmp.resolve("mnt"));
        try (MountedSnapshot mount = Mounter.start(SnapshotTree.build(snapshot, objects), new MemoryCache(objects, 64 << 20,
                counters), mountpoint, counters)) {
            // Before the open: a file takes its read-ahead from the device when it is opened.
            boolean raised = raiseReadAhead(mount.mountpoint());
            readWhole(mount, content, raised);
        }
    }

    private static void readWhole(MountedSnapshot mount, byte[] content, boolean raised) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(mount.mountpoint().resolve("big.bin"))) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(4 << 20);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (int n = ch.read(buffer); n >= 0; n = ch.read(buffer)) {
                all.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(content, all.toByteArray());
            long reads = mount.stats().fuseOperations().get("read");
            System.out.printf("LargeDirectoryIT: a %d-byte file read in %d READs (read-ahead %s)%n", content.length, reads,
                    raised ? "1 MiB" : "the kernel's default");
            if (raised) {
                assertTrue(reads < content.length / (128 * 1024), "READs larger than 128 KiB: " + reads);
            }
        }
    }

    /** Sets the mount's read-ahead to 1 MiB in sysfs (its device is in /proc/self/mountinfo); false when not allowed. */
    private static boolean raiseReadAhead(Path mountpoint) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f[4].equals(mountpoint.toString())) {
                    Files.writeString(Path.of("/sys/class/bdi/" + f[2] + "/read_ahead_kb"), "1024");
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    @Test
    void aListingOverManyRequestsHasEveryNameOnceAndItsStatsCostNothing() throws IOException {
        TestSnapshot objects = new TestSnapshot();
        List<Entry> entries = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            String name = String.format("module_%05d_%s.py", i, "x".repeat(80));
            names.add(name);
            entries.add(objects.file(name, 0644, ("v = " + i + "\n").getBytes()));
        }
        Snapshot snapshot = objects.snapshot("0123456789abcdef", objects.dir("big", entries.toArray(Entry[]::new)));
        Counters counters = new Counters();
        Path mountpoint = Files.createDirectory(tmp.resolve("mnt"));
        try (MountedSnapshot mount = Mounter.start(SnapshotTree.build(snapshot, objects), new MemoryCache(objects, 1 << 20,
                counters), mountpoint, counters)) {
            Path big = mount.mountpoint().resolve("big");
            List<String> listed;
            try (Stream<Path> s = Files.list(big)) {
                listed = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            assertEquals(names, listed, "every name once");
            Map<String, Long> afterListing = mount.stats().fuseOperations();
            long listings = afterListing.get("readdir") + afterListing.get("readdirplus");
            assertTrue(listings >= 3, "the listing took several requests: " + afterListing);
            for (String name : names) {
                assertEquals(Files.readAttributes(big.resolve(name), BasicFileAttributes.class).size(),
                        Files.size(big.resolve(name)));
            }
            Map<String, Long> afterStats = mount.stats().fuseOperations();
            if (afterListing.get("readdirplus") > 0) {
                assertEquals(afterListing.get("lookup"), afterStats.get("lookup"), "stats after a READDIRPLUS listing: "
                        + afterStats);
                assertEquals(afterListing.get("getattr"), afterStats.get("getattr"), afterStats.toString());
            }
            assertEquals("v = 9999\n", Files.readString(big.resolve(names.get(FILES - 1))));
            System.out.printf("LargeDirectoryIT: %d names listed in %d requests; stat of all of them: %d look-ups, %d"
                    + " getattrs more%n", FILES, listings, afterStats.get("lookup") - afterListing.get("lookup"),
                    afterStats.get("getattr") - afterListing.get("getattr"));
        }
    }
}
