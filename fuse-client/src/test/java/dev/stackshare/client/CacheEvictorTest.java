package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheEvictorTest {
    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    @TempDir
    Path tmp;
    private final TestSnapshot objects = new TestSnapshot();
    private final Counters counters = new Counters();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final List<Runnable> background = new ArrayList<>();

    /** Puts an object of {@code size} bytes last used {@code minutesAgo} minutes before NOW. */
    private Digest object(DiskCache cache, int size, int seed, int minutesAgo) throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(size, seed));
        cache.put(d, objects.objects.get(d));
        Files.setLastModifiedTime(cache.pathOf(d), FileTime.from(NOW.minus(Duration.ofMinutes(minutesAgo))));
        return d;
    }

    @Test
    void deletesTheLeastRecentlyUsedDownToTheLowWaterMark() throws IOException {
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        Digest oldest = object(cache, 1000, 1, 300);
        Digest old = object(cache, 1000, 2, 200);
        Digest recent = object(cache, 1000, 3, 100);
        Digest newest = object(cache, 1000, 4, 1);
        CacheEvictor evictor = cache.bound(3000, clock, background::add);

        assertEquals(2000, evictor.evict(), "3,600 bytes would still be over 90 % of 3,000");

        assertFalse(Files.exists(cache.pathOf(oldest)));
        assertFalse(Files.exists(cache.pathOf(old)));
        assertTrue(Files.exists(cache.pathOf(recent)));
        assertTrue(Files.exists(cache.pathOf(newest)));
        assertEquals(2000, evictor.estimate());
    }

    @Test
    void aReadMakesAnObjectRecentSoItOutlivesNewerOnes() throws IOException {
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        Digest read = object(cache, 1000, 1, 300);
        Digest unread = object(cache, 1000, 2, 200);
        CacheEvictor evictor = cache.bound(1500, clock, background::add);

        assertArrayEquals(objects.objects.get(read), cache.get(read));
        evictor.evict();

        assertTrue(Files.exists(cache.pathOf(read)));
        assertFalse(Files.exists(cache.pathOf(unread)));
    }

    @Test
    void aRecentlyTouchedObjectIsNotTouchedAgainOnEveryRead() throws IOException {
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        Digest d = object(cache, 100, 1, 5);
        cache.bound(1 << 20, clock, background::add);
        cache.get(d);
        assertEquals(NOW.minus(Duration.ofMinutes(5)), Files.getLastModifiedTime(cache.pathOf(d)).toInstant());
    }

    @Test
    void underTheBoundNothingIsDeleted() throws IOException {
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        Digest d = object(cache, 1000, 1, 300);
        assertEquals(1000, cache.bound(1000, clock, background::add).evict());
        assertTrue(Files.exists(cache.pathOf(d)));
    }

    @Test
    void insertsPastTheBoundStartOneEvictionInTheBackground() throws IOException {
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        CacheEvictor evictor = cache.bound(2500, clock, background::add);
        evictor.evict(); // the first walk: an empty cache
        object(cache, 1000, 1, 30);
        object(cache, 1000, 2, 20);
        assertTrue(background.isEmpty());
        Digest third = object(cache, 1000, 3, 10);
        Digest fourth = object(cache, 1000, 4, 0);
        assertEquals(1, background.size(), "one eviction at a time");

        background.get(0).run();

        assertEquals(2000, evictor.estimate());
        assertTrue(Files.exists(cache.pathOf(third)) && Files.exists(cache.pathOf(fourth)));
    }

    @Test
    void abandonedTemporaryFilesGoFreshOnesStay() throws IOException {
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        Digest d = object(cache, 100, 1, 0);
        Path dir = cache.pathOf(d).getParent();
        Path abandoned = Files.write(dir.resolve(DiskCache.TEMP_PREFIX + "dead"), new byte[10]);
        Files.setLastModifiedTime(abandoned, FileTime.from(NOW.minus(Duration.ofHours(2))));
        Path inFlight = Files.write(dir.resolve(DiskCache.TEMP_PREFIX + "live"), new byte[10]);
        Files.setLastModifiedTime(inFlight, FileTime.from(NOW));

        cache.bound(1 << 20, clock, background::add).evict();

        assertFalse(Files.exists(abandoned));
        assertTrue(Files.exists(inFlight));
    }

    @Test
    void rejectsANonPositiveBound() throws IOException {
        DiskCache cache = DiskCache.open(tmp, objects, counters);
        assertThrows(IllegalArgumentException.class, () -> cache.bound(0, clock, background::add));
    }
}
