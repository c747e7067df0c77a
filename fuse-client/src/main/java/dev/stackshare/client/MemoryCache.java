package dev.stackshare.client;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(MemoryCache.class);
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
        Map<Digest, CompletableFuture<byte[]>> futures = fetchAbsent(digests);
        Map<Digest, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<Digest, CompletableFuture<byte[]>> e : futures.entrySet()) {
            out.put(e.getKey(), join(e.getValue()));
        }
        return out;
    }

    @Override
    public void getEach(Collection<Digest> digests, Sink sink) throws IOException {
        for (Map.Entry<Digest, byte[]> e : getAll(digests).entrySet()) {
            sink.accept(e.getKey(), e.getValue());
        }
    }

    /**
     * Fetches, in one call to the next layer on {@code executor}, whichever of these objects is
     * neither held nor being fetched. The objects are claimed before this returns, so a reader who
     * wants one of them meanwhile waits for its arrival (not for the whole batch) instead of
     * fetching it again. Failures are left to those readers: each tries again on its own.
     *
     * @return how many objects were claimed for this fetch
     */
    int prefetch(Collection<Digest> digests, Executor executor) {
        Map<Digest, CompletableFuture<byte[]>> mine = new LinkedHashMap<>();
        claim(digests, new LinkedHashMap<>(), mine);
        int claimed = mine.size();
        if (claimed == 0) {
            return 0;
        }
        try {
            executor.execute(() -> {
                try {
                    fetch(mine);
                } catch (IOException | RuntimeException e) {
                    log.debug("prefetch of {} objects failed: {}", claimed, e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            failUnfinished(mine, e);
            return 0;
        }
        return claimed;
    }

    /**
     * Claims every absent digest with a future of this call's own, fetches the claimed ones as one
     * stream, completing each future on arrival, and fails those that never arrived. Returns the
     * future of every digest asked for, claimed here or by someone else.
     */
    private Map<Digest, CompletableFuture<byte[]>> fetchAbsent(Collection<Digest> digests) throws IOException {
        Map<Digest, CompletableFuture<byte[]>> all = new LinkedHashMap<>();
        Map<Digest, CompletableFuture<byte[]>> mine = new LinkedHashMap<>();
        claim(digests, all, mine);
        if (!mine.isEmpty()) {
            fetch(mine);
        }
        return all;
    }

    /** Puts a future of ours for each digest not held; {@code all} gets every digest's future, {@code mine} ours. */
    private void claim(Collection<Digest> digests, Map<Digest, CompletableFuture<byte[]>> all,
                       Map<Digest, CompletableFuture<byte[]>> mine) {
        for (Digest d : digests) {
            if (all.containsKey(d) || mine.containsKey(d)) {
                continue;
            }
            CompletableFuture<byte[]> own = new CompletableFuture<>();
            CompletableFuture<byte[]> shared = cache.get(d, (k, executor) -> own);
            if (shared == own) {
                mine.put(d, own);
            } else {
                counters.memoryCacheHit();
            }
            all.put(d, shared);
        }
    }

    /**
     * Completes each claimed future as its object arrives and lets go of it at once: a trace
     * prefetch may stream far more than the heap holds, and the cache alone decides what stays.
     */
    private void fetch(Map<Digest, CompletableFuture<byte[]>> mine) throws IOException {
        List<Digest> order = new ArrayList<>(mine.keySet()); // the batch's order: first wanted first
        Map<Digest, CompletableFuture<byte[]>> waiting = new ConcurrentHashMap<>(mine);
        mine.clear();
        try {
            next.getEach(order, (d, raw) -> {
                CompletableFuture<byte[]> f = waiting.remove(d);
                if (f != null) {
                    f.complete(raw);
                }
            });
        } catch (IOException | RuntimeException | Error e) {
            failUnfinished(waiting, e);
            throw e;
        }
        failUnfinished(waiting, new IOException("the answer lacked the object"));
    }

    private static void failUnfinished(Map<Digest, CompletableFuture<byte[]>> futures, Throwable cause) {
        for (CompletableFuture<byte[]> f : futures.values()) {
            if (!f.isDone()) {
                f.completeExceptionally(new FetchFailed(cause));
            }
        }
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
