package dev.stackshare.client;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * The top layer: recently read objects in memory, bounded in bytes.
 *
 * <p>It holds futures, not bytes, so concurrent reads of one chunk share one fetch; the fetch runs
 * on the first reader's thread outside any cache lock (a plain {@code Cache.get(key, loader)}
 * would block every key hashing to the same bin for the length of a network round trip). A
 * failed fetch is dropped from the cache, so the next read tries again.
 *
 * <p>Failures complete the shared future with {@link FetchFailed}, a cancellation: Caffeine drops
 * a failed future either way, but logs a stack trace for every failure other than a cancellation,
 * and the fetch failure is already reported, once, by whoever reads it.
 */
final class MemoryCache implements ObjectSource {
    /** Rough per-entry overhead, so that many tiny objects still count against the bound. */
    private static final int ENTRY_OVERHEAD = 96;

    private final AsyncCache<Digest, byte[]> cache;
    private final ObjectSource next;
    private final Counters counters;

    MemoryCache(ObjectSource next, long maxBytes, Counters counters) {
        this(next, maxBytes, counters, Runnable::run);
    }

    /** @param maintenance runs Caffeine's eviction work; the caller's thread is fine and keeps tests deterministic */
    MemoryCache(ObjectSource next, long maxBytes, Counters counters, Executor maintenance) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("memory cache size must be >= 0 bytes, got " + maxBytes);
        }
        this.next = next;
        this.counters = counters;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Digest d, byte[] raw) -> raw.length + ENTRY_OVERHEAD)
                .executor(maintenance)
                .buildAsync();
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> shared = cache.get(digest, (d, executor) -> mine);
        if (shared != mine) {
            counters.memoryCacheHit();
            return join(shared);
        }
        try {
            byte[] raw = next.get(digest);
            mine.complete(raw);
            return raw;
        } catch (IOException | RuntimeException | Error e) {
            mine.completeExceptionally(new FetchFailed(e));
            throw e;
        }
    }

    @Override
    public Map<Digest, byte[]> getAll(Collection<Digest> digests) throws IOException {
        Map<Digest, byte[]> out = new LinkedHashMap<>();
        List<Digest> absent = new ArrayList<>();
        for (Digest d : new LinkedHashSet<>(digests)) {
            CompletableFuture<byte[]> f = cache.getIfPresent(d);
            if (f != null) {
                counters.memoryCacheHit();
                out.put(d, join(f));
            } else {
                absent.add(d);
            }
        }
        if (!absent.isEmpty()) {
            for (Map.Entry<Digest, byte[]> e : next.getAll(absent).entrySet()) {
                cache.put(e.getKey(), CompletableFuture.completedFuture(e.getValue()));
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Whether the object is held (or being fetched) now; for tests and read-ahead decisions. */
    boolean contains(Digest digest) {
        return cache.getIfPresent(digest) != null;
    }

    void cleanUp() {
        cache.synchronous().cleanUp();
    }

    private static byte[] join(CompletableFuture<byte[]> future) throws IOException {
        try {
            return future.get();
        } catch (FetchFailed e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                // A fresh exception per waiter, naming the same failure.
                throw new IOException(io.getMessage(), io);
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for an object");
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    /** A fetch failure shared with the readers who joined the fetch. */
    private static final class FetchFailed extends CancellationException {
        private static final long serialVersionUID = 1L;

        FetchFailed(Throwable cause) {
            super(cause.getMessage());
            initCause(cause);
        }
    }
}
