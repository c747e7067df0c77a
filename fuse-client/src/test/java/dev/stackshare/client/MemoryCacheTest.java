package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoryCacheTest {
    private final TestSnapshot objects = new TestSnapshot();
    private final Counters counters = new Counters();

    @Test
    void secondReadIsServedFromMemory() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(1000, 1));
        MemoryCache cache = new MemoryCache(objects, 1 << 20, counters);

        byte[] first = cache.get(d);
        byte[] second = cache.get(d);

        assertSame(first, second);
        assertEquals(1, objects.gets.get());
        assertEquals(1, counters.snapshot().memoryCacheHits());
    }

    @Test
    void concurrentReadsOfOneObjectShareOneFetch() throws Exception {
        Digest d = objects.put(TestSnapshot.bytes(1000, 2));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger fetches = new AtomicInteger();
        ObjectSource slow = digest -> {
            fetches.incrementAndGet();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            return objects.get(digest);
        };
        MemoryCache cache = new MemoryCache(slow, 1 << 20, counters);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(pool.submit(() -> cache.get(d)));
            }
            Thread.sleep(100);
            release.countDown();
            for (Future<byte[]> f : reads) {
                assertArrayEquals(objects.objects.get(d), f.get(5, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, fetches.get());
    }

    @Test
    void failedFetchIsNotCached() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(10, 3));
        AtomicInteger calls = new AtomicInteger();
        ObjectSource flaky = digest -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("network down");
            }
            return objects.get(digest);
        };
        MemoryCache cache = new MemoryCache(flaky, 1 << 20, counters);

        IOException e = assertThrows(IOException.class, () -> cache.get(d));
        assertEquals("network down", e.getMessage());
        assertArrayEquals(objects.objects.get(d), cache.get(d));
        assertEquals(2, calls.get());
    }

    @Test
    void evictsPastItsByteBound() throws IOException {
        MemoryCache cache = new MemoryCache(objects, 10_000, counters);
        List<Digest> digests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Digest d = objects.put(TestSnapshot.bytes(2000, i));
            digests.add(d);
            cache.get(d);
        }
        cache.cleanUp();

        long held = digests.stream().filter(cache::contains).count();
        assertTrue(held <= 5, "held " + held + " objects of 2000 bytes under a 10000-byte bound");
        assertTrue(held >= 1);
    }

    @Test
    void zeroBoundStillServesReads() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(100, 4));
        MemoryCache cache = new MemoryCache(objects, 0, counters);
        assertArrayEquals(objects.objects.get(d), cache.get(d));
    }

    @Test
    void getAllAsksTheNextLayerOnlyForWhatItLacks() throws IOException {
        Digest held = objects.put(TestSnapshot.bytes(100, 5));
        Digest absent = objects.put(TestSnapshot.bytes(100, 6));
        List<List<Digest>> asked = new ArrayList<>();
        ObjectSource recording = new ObjectSource() {
            @Override
            public byte[] get(Digest digest) throws IOException {
                return objects.get(digest);
            }

            @Override
            public void getEach(java.util.Collection<Digest> digests, Sink sink) throws IOException {
                asked.add(List.copyOf(digests));
                ObjectSource.super.getEach(digests, sink);
            }
        };
        MemoryCache cache = new MemoryCache(recording, 1 << 20, counters);
        cache.get(held);

        Map<Digest, byte[]> all = cache.getAll(List.of(held, absent));

        assertEquals(List.of(List.of(absent)), asked);
        assertEquals(2, all.size());
        assertTrue(cache.contains(absent));
        assertFalse(cache.contains(objects.put(new byte[] {1})));
    }

    @Test
    void prefetchClaimsAtOnceSoAReaderWaitsForTheBatchInsteadOfFetchingAgain() throws Exception {
        Digest a = objects.put(TestSnapshot.bytes(100, 7));
        Digest b = objects.put(TestSnapshot.bytes(100, 8));
        RecordingSource recording = new RecordingSource(objects);
        List<List<Digest>> asked = recording.calls;
        MemoryCache cache = new MemoryCache(recording, 1 << 20, counters);
        List<Runnable> queued = new ArrayList<>();

        assertEquals(2, cache.prefetch(List.of(a, b), queued::add));
        assertTrue(cache.contains(a) && cache.contains(b));
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> read = reader.submit(() -> cache.get(b));
            Thread.sleep(50);
            assertFalse(read.isDone(), "the reader waits for the batch under way");
            queued.forEach(Runnable::run);
            assertArrayEquals(objects.objects.get(b), read.get(5, TimeUnit.SECONDS));
        } finally {
            reader.shutdownNow();
        }
        assertEquals(List.of(List.of(a, b)), asked);
        assertEquals(0, cache.prefetch(List.of(a, b), queued::add), "nothing left to claim");
    }

    @Test
    void aFailedPrefetchLeavesTheObjectToTheReader() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(100, 9));
        AtomicInteger batches = new AtomicInteger();
        ObjectSource batchFails = new ObjectSource() {
            @Override
            public byte[] get(Digest digest) throws IOException {
                return objects.get(digest);
            }

            @Override
            public void getEach(java.util.Collection<Digest> digests, Sink sink) throws IOException {
                batches.incrementAndGet();
                throw new IOException("connection reset");
            }
        };
        MemoryCache cache = new MemoryCache(batchFails, 1 << 20, counters);
        cache.prefetch(List.of(d), Runnable::run);
        assertEquals(1, batches.get());
        assertArrayEquals(objects.objects.get(d), cache.get(d));
    }

    @Test
    void aRejectedPrefetchClaimsNothing() throws IOException {
        Digest d = objects.put(TestSnapshot.bytes(100, 10));
        MemoryCache cache = new MemoryCache(objects, 1 << 20, counters);
        assertEquals(0, cache.prefetch(List.of(d), r -> {
            throw new java.util.concurrent.RejectedExecutionException("closing");
        }));
        assertArrayEquals(objects.objects.get(d), cache.get(d));
    }

    @Test
    void aPrefetchLargerThanTheCacheKeepsOnlyWhatTheBoundAllows() throws IOException {
        List<Digest> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(objects.put(TestSnapshot.bytes(100_000, 100 + i)));
        }
        List<java.lang.ref.WeakReference<byte[]>> handedOut = new ArrayList<>();
        ObjectSource streaming = new ObjectSource() {
            @Override
            public byte[] get(Digest digest) throws IOException {
                return objects.get(digest).clone();
            }

            @Override
            public void getEach(java.util.Collection<Digest> digests, Sink sink) throws IOException {
                for (Digest d : digests) {
                    byte[] copy = objects.get(d).clone();
                    handedOut.add(new java.lang.ref.WeakReference<>(copy));
                    sink.accept(d, copy);
                }
            }
        };
        MemoryCache cache = new MemoryCache(streaming, 1_000_000, counters);

        assertEquals(50, cache.prefetch(many, Runnable::run));
        cache.cleanUp();
        System.gc();

        long alive = handedOut.stream().filter(r -> r.get() != null).count();
        assertTrue(alive <= 11, "a 1 MB cache keeps about ten 100 KB objects, not the whole prefetch: " + alive);
        assertArrayEquals(objects.objects.get(many.get(0)), cache.get(many.get(0)), "an evicted object is fetched again");
    }

    @Test
    void rejectsNegativeBound() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryCache(objects, -1, counters));
    }
}
