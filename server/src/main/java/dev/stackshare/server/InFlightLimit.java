package dev.stackshare.server;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many data requests (objects, batches, packs, trees) the server works on at once: each
 * holds a place from admission until the last byte of its answer is written (or its connection
 * dies), so the blocking pool's queue and the bytes waiting in answers stay bounded. A request
 * past the bound is refused at once with 503 and {@code Retry-After}, before any work is done.
 */
final class InFlightLimit {
    /** Eight places a blocking thread: enough queue to keep them busy, and at most a chunk frame each in memory. */
    static final int DEFAULT_MAX = 64;
    /** What {@code Retry-After} says: a second, the header's smallest unit; clients add jitter. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final int max;
    private final AtomicInteger inFlight = new AtomicInteger();

    InFlightLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the in-flight request bound must be >= 1, got " + max);
        }
        this.max = max;
    }

    /** The bound from {@code -Dstackshare.maxInFlight=N}, else {@link #DEFAULT_MAX}. */
    static InFlightLimit fromProperty() {
        return new InFlightLimit(Integer.getInteger("stackshare.maxInFlight", DEFAULT_MAX));
    }

    /** Takes a place; false (nothing taken) when every place is held. */
    boolean tryAcquire() {
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

    void release() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    int max() {
        return max;
    }
}
