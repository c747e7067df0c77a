package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publish index: what it lets a re-publish skip, what it never lets it trust, and its file. */
class PublishIndexTest {
    /** A stamp far ahead of every file in the test: no entry is racy. */
    static final PublishIndex.Clock FUTURE = () -> TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis())
            + TimeUnit.HOURS.toNanos(1);

    @TempDir
    Path tmp;
    /** Files read, by real path, each time a chunk of them is read. */
    final Map<Path, Integer> reads = new ConcurrentHashMap<>();
    ScanFixture fx;
    SnapshotStore snapshots;

    private Publisher publisher(Path root, PublishIndex.Clock fsClock) throws IOException {
        if (fx == null) {
            fx = new ScanFixture(tmp.resolve("state/objects"), (file, index) -> reads.merge(file, 1, Integer::sum));
            snapshots = SnapshotStore.open(tmp.resolve("state/snapshots"), tmp.resolve("state/views"));
        }
        return new Publisher(RootSet.of(List.of(root)), fx.scanner, fx.store, new StableLocations(), snapshots,
                ScanFixture.CHUNK, Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC), new Random(1),
                Map.of(), tmp.resolve("state/index"), fsClock);
    }

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
    }

    private Set<String> readNames() {
        Set<String> names = new TreeSet<>();
        reads.keySet().forEach(p -> names.add(p.getFileName().toString()));
        return names;
    }

    private Path stack() throws IOException {
        Path root = tmp.resolve("stack");
        Trees.file(root, "lib/a.py", "a = 1\n");
        Trees.file(root, "lib/b.py", "b = 2\n");
        Trees.file(root, "lib/libbig.so", Trees.randomBytes(3 * ScanFixture.CHUNK + 100, 7));
        Trees.file(root, "bin/tool", "#!/bin/sh\n");
        Trees.file(root, "share/data.txt", "data\n");
        Trees.file(root, "empty", new byte[0]);
        return root;
    }

    @Test
    void unchangedFilesAreNotReadAgainAndGiveTheSameTree() throws IOException {
        Path root = stack();
        Publisher p = publisher(root, FUTURE);
        Snapshot first = p.publish("default");
        assertEquals(Set.of("a.py", "b.py", "libbig.so", "tool", "data.txt", "empty"), readNames());
        reads.clear();

        Snapshot second = p.publish("default");
        assertEquals(Set.of(), readNames(), "nothing changed, so nothing is read");
        // The roots' trees: the snapshot's top tree also holds the mtimes of /tmp and the like, which others change.
        assertEquals(first.roots().get(0).tree(), second.roots().get(0).tree());
        assertEquals(first.roots().get(0).files(), second.roots().get(0).files());
        assertEquals(first.roots().get(0).bytes(), second.roots().get(0).bytes());
    }

    @Test
    void indexSurvivesARestartOfTheServer() throws IOException {
        Path root = stack();
        Snapshot first = publisher(root, FUTURE).publish("default");
        assertTrue(Files.exists(tmp.resolve("state/index")));
        reads.clear();

        Publisher restarted = publisher(root, FUTURE);
        assertEquals(6, restarted.indexSize());
        assertEquals(first.roots().get(0).tree(), restarted.publish("default").roots().get(0).tree());
        assertEquals(Set.of(), readNames());
    }

    @Test
    void changedSizeMtimeInodeOrCtimeIsReadAgain() throws Exception {
        Path root = stack();
        Path lib = root.resolve("lib");
        Files.setLastModifiedTime(lib.resolve("a.py"), Trees.FIXED);
        Publisher p = publisher(root, FUTURE);
        Snapshot first = p.publish("default");
        reads.clear();
        Thread.sleep(20); // past the file system clock's tick, so ctimes differ

        Files.writeString(root.resolve("share/data.txt"), "data, longer\n");                 // size
        Files.setLastModifiedTime(lib.resolve("a.py"), FileTime.fromMillis(Trees.FIXED.toMillis() + 1000)); // mtime
        Path replacement = Files.writeString(tmp.resolve("new-b"), "b = 2\n");
        Files.setLastModifiedTime(replacement, Files.getLastModifiedTime(lib.resolve("b.py")));
        Files.move(replacement, lib.resolve("b.py"), StandardCopyOption.REPLACE_EXISTING);    // inode
        Path tool = root.resolve("bin/tool");
        Files.setPosixFilePermissions(tool, Files.getPosixFilePermissions(tool));                 // ctime only

        Snapshot second = p.publish("default");
        assertEquals(Set.of("data.txt", "a.py", "b.py", "tool"), readNames());
        Entry.File data = (Entry.File) fx.entry(second.tree(), root.toRealPath().toString().substring(1)
                + "/share/data.txt");
        assertEquals(Digest.of("data, longer\n".getBytes(StandardCharsets.UTF_8)), data.content());
        assertFalse(first.roots().get(0).tree().equals(second.roots().get(0).tree()));
    }

    @Test
    void sameSizeRewriteWithTheOldMtimeIsCaughtByCtime() throws Exception {
        Path root = stack();
        Path a = root.resolve("lib/a.py");
        FileTime mtime = Files.getLastModifiedTime(a);
        Publisher p = publisher(root, FUTURE);
        p.publish("default");
        reads.clear();
        Thread.sleep(20);

        Files.writeString(a, "a = 9\n"); // same size
        Files.setLastModifiedTime(a, mtime); // as `cp -p` or `tar x` would
        Snapshot second = p.publish("default");
        assertEquals(Set.of("a.py"), readNames());
        Entry.File entry = (Entry.File) fx.entry(second.tree(), root.toRealPath().toString().substring(1) + "/lib/a.py");
        assertEquals(Digest.of("a = 9\n".getBytes(StandardCharsets.UTF_8)), entry.content());
    }

    @Test
    void filesChangedNearTheStampAreRacyAndReadAgain() throws IOException {
        Path root = stack();
        // The real file system clock: every file was just written, so no entry can be trusted yet.
        Publisher p = publisher(root, PublishIndex.Clock.fileSystem(tmp));
        p.publish("default");
        reads.clear();
        p.publish("default");
        assertEquals(Set.of("a.py", "b.py", "libbig.so", "tool", "data.txt", "empty"), readNames());
    }

    @Test
    void racyRuleLooksAtMtimeAndCtimeAgainstTheStamp() {
        long stamp = TimeUnit.SECONDS.toNanos(1_000_000);
        long old = stamp - PublishIndex.RACY_WINDOW_NANOS - 1;
        PublishIndex.Entry trusted = entry("/r/old", old, old);
        PublishIndex.Entry newMtime = entry("/r/m", stamp, old);
        PublishIndex.Entry newCtime = entry("/r/c", old, stamp - PublishIndex.RACY_WINDOW_NANOS);
        PublishIndex index = PublishIndex.of(4096, stamp, List.of(trusted, newMtime, newCtime));

        assertNotNull(index.lookup("/r/old", stat(trusted)));
        assertNull(index.lookup("/r/m", stat(newMtime)), "mtime not older than the stamp");
        assertNull(index.lookup("/r/c", stat(newCtime)), "ctime within the racy window");
        assertNull(index.lookup("/r/old", new FileStat(0100644, 6, old + 1, old, 1, 1)), "other mtime");
        assertNull(index.lookup("/r/none", stat(trusted)));

        PublishIndex noStamp = PublishIndex.of(4096, Long.MIN_VALUE + 1, List.of(trusted));
        assertNull(noStamp.lookup("/r/old", stat(trusted)), "a stamp from before time trusts nothing");
    }

    @Test
    void encodeDecodeRoundTripsEveryField() throws Exception {
        PublishIndex index = PublishIndex.of(4096, 123_456_789L, List.of(entry("/r/a", 1, 2), entry("/r/ab", 3, 4),
                bigEntry("/r/big.so"), entry("/other/é", 5, 6)));
        PublishIndex back = PublishIndex.decode(index.encode(), 4096);
        assertEquals(123_456_789L, back.stampNanos());
        assertEquals(4, back.size());
        assertTrue(back.sameAs(List.of(entry("/r/a", 1, 2), entry("/r/ab", 3, 4), bigEntry("/r/big.so"),
                entry("/other/é", 5, 6))));
    }

    @Test
    void truncatedCorruptedOrForeignIndexFilesAreNeverTrusted() {
        byte[] good = PublishIndex.of(4096, 1L, List.of(entry("/r/a", 1, 2), bigEntry("/r/big.so"))).encode();
        for (int length = 0; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThrows(PublishIndex.IndexFormatException.class, () -> PublishIndex.decode(cut, 4096), "cut at " + length);
        }
        for (int i = 0; i < good.length; i++) {
            byte[] flipped = good.clone();
            flipped[i] ^= 0x10;
            assertThrows(PublishIndex.IndexFormatException.class, () -> PublishIndex.decode(flipped, 4096), "byte " + i);
        }
        assertThrows(PublishIndex.IndexFormatException.class, () -> PublishIndex.decode(good, 8192), "other chunk size");
    }

    @Test
    void damagedIndexFileIsIgnoredWithAWarningAndEveryFileIsRead() throws IOException {
        Path root = stack();
        Snapshot first = publisher(root, FUTURE).publish("default");
        Path file = tmp.resolve("state/index");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2)); // as if the disk lost the end
        reads.clear();

        String warning = stderrOf(() -> assertEquals(0, publisher(root, FUTURE).indexSize()));
        assertTrue(warning.contains("publish index " + file + " is damaged"), warning);
        Publisher restarted = publisher(root, FUTURE);
        assertEquals(first.roots().get(0).tree(), restarted.publish("default").roots().get(0).tree());
        assertEquals(6, readNames().size(), "every file read again");

        Files.write(file, "garbage".getBytes(StandardCharsets.UTF_8));
        warning = stderrOf(() -> assertEquals(0, publisher(root, FUTURE).indexSize()));
        assertTrue(warning.contains("is damaged"), warning);
    }

    @Test
    void aFrozenObjectDeletedFromTheStoreIsFrozenAgain() throws IOException {
        Path wt = tmp.resolve("wt");
        Trees.file(wt, "mypkg/core.py", "def f():\n    return 42\n");
        Trees.file(wt, "mypkg/big.bin", Trees.randomBytes(2 * ScanFixture.CHUNK + 5, 3));
        Files.createDirectories(wt.resolve(".git"));
        Publisher p = publisher(wt, FUTURE);
        Snapshot first = p.publish("default");
        assertEquals(Snapshot.RootKind.LIVE, first.roots().get(0).kind());
        Digest core = Digest.of("def f():\n    return 42\n".getBytes(StandardCharsets.UTF_8));
        Digest bigChunk = Digest.of(Trees.randomBytes(2 * ScanFixture.CHUNK + 5, 3), ScanFixture.CHUNK, ScanFixture.CHUNK);
        Files.delete(fx.store.pathOf(core));
        Files.delete(fx.store.pathOf(bigChunk));
        reads.clear();

        Snapshot second = p.publish("default");
        assertEquals(first.roots().get(0).tree(), second.roots().get(0).tree());
        assertTrue(fx.store.contains(core), "re-frozen");
        assertTrue(fx.store.contains(bigChunk), "re-frozen");
        assertEquals(Set.of("core.py", "big.bin"), readNames(), "only the files whose objects were gone");
    }

    @Test
    void unreadableIndexFileIsIgnored() throws IOException {
        Path root = stack();
        publisher(root, FUTURE).publish("default");
        Path file = tmp.resolve("state/index");
        Files.delete(file);
        Files.createDirectory(file); // reading it fails
        String warning = stderrOf(() -> assertEquals(0, publisher(root, FUTURE).indexSize()));
        assertTrue(warning.contains("cannot read the publish index"), warning);
    }

    private static PublishIndex.Entry entry(String path, long mtime, long ctime) {
        Digest d = Digest.of(path.getBytes(StandardCharsets.UTF_8));
        return new PublishIndex.Entry(path, 1, 1, 0100644, 6, mtime, ctime, d, List.of(d));
    }

    private static PublishIndex.Entry bigEntry(String path) {
        List<Digest> chunks = List.of(Digest.of(new byte[] {1}), Digest.of(new byte[] {2}));
        Digest content = Digest.of(new dev.stackshare.protocol.ChunkList(chunks).encode());
        return new PublishIndex.Entry(path, 7, 8, 0100755, 4096 + 1, 9, 10, content, chunks);
    }

    private static FileStat stat(PublishIndex.Entry e) {
        return new FileStat(e.rawMode(), e.size(), e.mtimeNanos(), e.ctimeNanos(), e.ino(), e.dev());
    }

    private interface IoRunnable {
        void run() throws IOException;
    }

    /** What the logger wrote to stderr while {@code r} ran (slf4j-simple looks up System.err on each write). */
    private static String stderrOf(IoRunnable r) throws IOException {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
