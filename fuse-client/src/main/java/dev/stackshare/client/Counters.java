package dev.stackshare.client;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link ClientStats}; every layer of one mount adds to the same instance. */
final class Counters {
    private final LongAdder objectsFetched = new LongAdder();
    private final LongAdder bytesFetched = new LongAdder();
    private final LongAdder diskCacheHits = new LongAdder();
    private final LongAdder memoryCacheHits = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder packRequests = new LongAdder();
    private final LongAdder overloadRetries = new LongAdder();
    private final LongAdder fetchRetries = new LongAdder();
    private final LongAdder fetchesGivenUp = new LongAdder();
    private final LongAdder[] fuseOperations = new LongAdder[FuseOperation.values().length];

    Counters() {
        for (int i = 0; i < fuseOperations.length; i++) {
            fuseOperations[i] = new LongAdder();
        }
    }

    /** One request of the kernel answered by the mount's Java code. */
    void fuseOperation(FuseOperation op) {
        fuseOperations[op.ordinal()].increment();
    }

    /** A fetch that failed in a way a wait may mend, about to be tried again ({@link RetryingObjectSource}). */
    void fetchRetried() {
        fetchRetries.increment();
    }

    /** A fetch given up on at its deadline: the read failed with EIO. */
    void fetchGivenUp() {
        fetchesGivenUp.increment();
    }

    /** A request refused with 503 and Retry-After, about to be sent again. */
    void overloadRetry() {
        overloadRetries.increment();
    }

    /** Requests sent again after a 503 with Retry-After (each also counted in {@code requests}). */
    long overloadRetries() {
        return overloadRetries.sum();
    }

    void packRequest() {
        packRequests.increment();
    }

    /** Pack requests ({@code GET /v1/packs/...}) made, counted in {@code requests} too. */
    long packRequests() {
        return packRequests.sum();
    }

    void request() {
        requests.increment();
    }

    void objectFetched() {
        objectsFetched.increment();
    }

    void bytesFetched(long n) {
        bytesFetched.add(n);
    }

    void diskCacheHit() {
        diskCacheHits.increment();
    }

    void memoryCacheHit() {
        memoryCacheHits.increment();
    }

    private java.util.Map<String, Long> fuseOperations() {
        java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (FuseOperation op : FuseOperation.values()) {
            counts.put(op.label(), fuseOperations[op.ordinal()].sum());
        }
        return counts;
    }

    ClientStats snapshot() {
        return new ClientStats(objectsFetched.sum(), bytesFetched.sum(), diskCacheHits.sum(),
                memoryCacheHits.sum(), requests.sum(), fetchRetries.sum(), fetchesGivenUp.sum(), overloadRetries.sum(),
                fuseOperations());
    }
}
