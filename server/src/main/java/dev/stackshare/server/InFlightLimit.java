package dev.stackshare.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many data requests (objects, batches, packs, trees) the server works on at once: each
 * holds a place from admission until the last byte of its answer is written (or its connection
 * dies), so the blocking pool's queue and the bytes waiting in answers stay bounded. A request
 * past the bound is refused at once with 503 and {@code Retry-After}, before any work is done.
 *
 * <p>One client (one remote address) holds at most {@link #perClient()} places, so a node that
 * stops reading its answers (a job suspended mid-read) or a client that opens many connections
 * cannot take the server away from everyone else.
 */
final class InFlightLimit {
    /** Eight places a blocking thread: enough queue to keep them busy, and at most a chunk frame each in memory. */
    static final int DEFAULT_MAX = 64;
    /** What {@code Retry-After} says: a second, the header's smallest unit; clients add jitter. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final int max;
    private final int perClient;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentHashMap<Object, Integer> heldBy = new ConcurrentHashMap<>();

    /** A bound whose every place one client may take: for tests of the total alone. */
    InFlightLimit(int max) {
        this(max, max);
    }

    InFlightLimit(int max, int perClient) {
        if (max < 1) {
            throw new IllegalArgumentException("the in-flight request bound must be >= 1, got " + max);
        }
        if (perClient < 1 || perClient > max) {
            throw new IllegalArgumentException("the in-flight places of one client must be 1.." + max + ", got " + perClient);
        }
        this.max = max;
        this.perClient = perClient;
    }

    /**
     * The bound from {@code -Dstackshare.maxInFlight=N}, else {@link #DEFAULT_MAX}; one client
     * may hold three quarters of it ({@code -Dstackshare.maxInFlightPerClient=N}): a quarter
     * always stays for others, and an HTTP cache, which asks for every node behind it from one
     * address, still has most of the server.
     */
    static InFlightLimit fromProperty() {
        int max = Integer.getInteger("stackshare.maxInFlight", DEFAULT_MAX);
        int perClient = Integer.getInteger("stackshare.maxInFlightPerClient", Math.max(1, max - max / 4));
        return new InFlightLimit(max, perClient);
    }

    /** Takes a place for {@code client}; false (nothing taken) when every place is held, or the client holds its share. */
    boolean tryAcquire(Object client) {
        boolean[] taken = {false};
        heldBy.compute(client, (c, held) -> {
            int now = held == null ? 0 : held;
            if (now >= perClient || !takeOne()) {
                return held;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    private boolean takeOne() {
        while (true) {
            int now = inFlight.get();
            if (now >= max) {
                return false;
            }
            if (inFlight.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release(Object client) {
        heldBy.computeIfPresent(client, (c, held) -> held > 1 ? held - 1 : null);
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    int max() {
        return max;
    }

    int perClient() {
        return perClient;
    }
}
