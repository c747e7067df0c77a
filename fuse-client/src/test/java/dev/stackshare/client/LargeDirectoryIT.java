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
 * A directory far larger than one READDIR answer, on a real mount: every name comes back once,
 * in order, over many requests that resume at their offsets; with READDIRPLUS the listing
 * brings every entry's attributes, so stat-ing all of them afterwards asks the mount nothing.
 */
class LargeDirectoryIT {
    /** Names of about 100 bytes: some 2.5 MB of READDIRPLUS answers, more than two of the largest (1 MiB). */
    private static final int FILES = 10_000;

    @TempDir
    Path tmp;

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
