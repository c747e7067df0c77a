package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskCacheTest {
    @TempDir
    Path tmp;
    private final TestSnapshot objects = new TestSnapshot();
    private final Counters counters = new Counters();

    @Test
    void missIsFetchedAndStoredRawUnderItsDigest() throws IOException {
        byte[] raw = TestSnapshot.bytes(5000, 1);
        Digest d = objects.put(raw);
        DiskCache cache = DiskCache.open(tmp.resolve("cache"), objects, counters);

        assertArrayEquals(raw, cache.get(d));

        Path file = tmp.resolve("cache/objects/" + d.hex().substring(0, 2) + "/" + d.hex());
        assertEquals(file, cache.pathOf(d));
        assertArrayEquals(raw, Files.readAllBytes(file));
        assertEquals(1, objects.gets.get());
    }

    @Test
    void withWriteBehindAFetchIsHandedOnBeforeItIsOnDiskAndReadFromMemoryUntilThen() throws Exception {
        byte[] raw = TestSnapshot.bytes(5000, 11);
        Digest d = objects.put(raw);
        DiskCache cache = DiskCache.open(tmp, new VerifyingObjectSource(objects, "test"), counters);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        writer.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        cache.writeBehind(writer);

        assertArrayEquals(raw, cache.get(d));
        assertFalse(Files.exists(cache.pathOf(d)), "the writer has not run yet");
        assertTrue(cache.holds(d));
        assertArrayEquals(raw, cache.get(d));
        assertEquals(1, objects.gets.get(), "read again from the bytes on their way to disk, not fetched");

        release.countDown();
        cache.flush(10_000);
        assertArrayEquals(raw, Files.readAllBytes(cache.pathOf(d)));
        assertTrue(writer.isTerminated());
        try (Stream<Path> files = Files.walk(tmp)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(DiskCache.TEMP_PREFIX)).toList());
        }
    }

    @Test
    void anotherCacheOnTheSameDirectoryReadsFromDiskWithoutFetching() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(100, 2));
        DiskCache.open(tmp, objects, counters).get(d);
        ObjectSource refuses = digest -> {
            throw new AssertionError("fetched " + digest);
        };

        byte[] again = DiskCache.open(tmp, refuses, counters).get(d);

        assertArrayEquals(objects.objects.get(d), again);
        assertEquals(1, counters.snapshot().diskCacheHits());
    }

    @Test
    void corruptFileIsDeletedAndFetchedAgain() throws IOException {
        byte[] raw = TestSnapshot.bytes(100, 3);
        Digest d = objects.put(raw);
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        cache.get(d);
        Files.write(cache.pathOf(d), new byte[] {1, 2, 3});

        assertArrayEquals(raw, cache.get(d));

        assertEquals(2, objects.gets.get());
        assertArrayEquals(raw, Files.readAllBytes(cache.pathOf(d)));
    }

    @Test
    void peekDoesNotFetchAndDropsCorruptFiles() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(100, 4));
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        assertNull(cache.peek(d));
        assertEquals(0, objects.gets.get());

        Files.createDirectories(cache.pathOf(d).getParent());
        Files.write(cache.pathOf(d), new byte[] {9});
        assertNull(cache.peek(d));
        assertFalse(Files.exists(cache.pathOf(d)));
    }

    @Test
    void putRefusesBytesThatDoNotMatchTheirDigest() throws IOException {
        Digest d = Digest.of(new byte[] {1, 2, 3});
        DiskCache cache = DiskCache.open(tmp, objects, counters);

        assertThrows(DigestMismatchException.class, () -> cache.put(d, new byte[] {1, 2, 4}));

        assertFalse(Files.exists(cache.pathOf(d)));
    }

    @Test
    void insertLeavesNoTemporaryFiles() throws IOException {
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        for (int i = 0; i < 50; i++) {
            byte[] raw = TestSnapshot.bytes(300, i);
            cache.put(Digest.of(raw), raw);
        }
        try (Stream<Path> files = Files.walk(tmp)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(DiskCache.TEMP_PREFIX)).toList());
        }
    }

    @Test
    void aLeftoverTemporaryFileIsNeverTakenForTheObject() throws IOException {
        byte[] raw = TestSnapshot.bytes(100, 5);
        Digest d = objects.put(raw);
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        // What a crash in the middle of an insert leaves: a partial temp file, never a digest name.
        Files.createDirectories(cache.pathOf(d).getParent());
        Files.write(cache.pathOf(d).resolveSibling(DiskCache.TEMP_PREFIX + d.shortHex() + "-1"), new byte[] {1});

        assertNull(cache.peek(d));
        assertArrayEquals(raw, cache.get(d));
    }

    @Test
    void cacheDirectoriesArePrivate() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(10, 6));
        DiskCache cache = DiskCache.open(tmp.resolve("c"), objects, counters);
        cache.get(d);
        for (Path dir : List.of(tmp.resolve("c"), tmp.resolve("c/objects"), cache.pathOf(d).getParent())) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), dir.toString());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.pathOf(d))));
    }

    @Test
    void getAllFetchesOnlyWhatIsNotOnDisk() throws IOException {
        Digest a = objects.put(TestSnapshot.bytes(10, 7));
        Digest b = objects.put(TestSnapshot.bytes(10, 8));
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        cache.get(a);
        objects.gets.set(0);

        Map<Digest, byte[]> all = cache.getAll(List.of(a, b));

        assertEquals(2, all.size());
        assertEquals(1, objects.gets.get());
        assertTrue(Files.exists(cache.pathOf(b)));
    }

    @Test
    void localOnlyViewThrowsNotCachedOnAMiss() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(10, 9));
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        assertThrows(NotCachedException.class, () -> cache.localOnly().get(d));
        assertEquals(0, objects.gets.get());
    }

    private DiskCache sharedCache(ObjectSource source) throws IOException {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwx---"));
        CacheDir dir = CacheDir.open(shared, ProcessCredentials.current(), tmp.resolve("own"));
        return DiskCache.open(dir, source, counters);
    }

    @Test
    void aSharedCacheGivesObjectsToItsGroupReadOnly() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(10, 10));
        DiskCache cache = sharedCache(objects);
        cache.get(d);
        assertEquals("rwxrwx---", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.pathOf(d).getParent())));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.pathOf(d))));
        assertEquals(Modes.gid(tmp.resolve("shared")), Modes.gid(cache.pathOf(d)));
    }

    @Test
    void anObjectDirSwappedForALinkIsNeitherReadNorWrittenButTheReadStillSucceeds() throws IOException {
        byte[] raw = TestSnapshot.bytes(10, 11);
        Digest d = objects.put(raw);
        DiskCache cache = sharedCache(objects);
        Path elsewhere = Files.createDirectories(tmp.resolve("users-own-dir"));
        Files.write(elsewhere.resolve(d.hex()), raw);
        Files.createSymbolicLink(cache.pathOf(d).getParent(), elsewhere);

        assertArrayEquals(raw, cache.get(d));
        assertArrayEquals(raw, cache.get(d));

        assertEquals(2, objects.gets.get(), "nothing was read through the link");
        try (Stream<Path> files = Files.list(elsewhere)) {
            assertEquals(List.of(elsewhere.resolve(d.hex())), files.toList(), "nothing was written through the link");
        }
    }

    @Test
    void aFifoInPlaceOfAnObjectIsDroppedWithoutBeingOpened() throws Exception {
        byte[] raw = TestSnapshot.bytes(10, 12);
        Digest d = objects.put(raw);
        DiskCache cache = sharedCache(objects);
        Files.createDirectories(cache.pathOf(d).getParent());
        assertEquals(0, new ProcessBuilder("mkfifo", cache.pathOf(d).toString()).start().waitFor());

        byte[] read = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> cache.get(d),
                "opening a fifo would block forever");

        assertArrayEquals(raw, read);
        assertArrayEquals(raw, Files.readAllBytes(cache.pathOf(d)), "replaced by the real object");
    }
}
