package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Digest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What the server has done since it started; read by GET /v1/stats and by tests. */
final class Counters {
    /**
     * Digests whose serves are told apart, at most: enough for a test or a fan-out check of a
     * real working set (about 100 bytes of heap each), bounded so a long-running server's
     * counters never grow without end.
     */
    static final int DEFAULT_TRACKED_DIGESTS = 200_000;

    final LongAdder requests = new LongAdder();
    final LongAdder objectsServed = new LongAdder();
    final LongAdder objectBytesServed = new LongAdder();
    final LongAdder treesServed = new LongAdder();
    final LongAdder batchRequests = new LongAdder();
    final LongAdder unauthorized = new LongAdder();
    /** From a request's arrival on the blocking pool to its answer's head, for /metrics. */
    final LatencyHistogram latency = new LatencyHistogram();
    private final LongAdder objectsServedAgain = new LongAdder();
    private final ConcurrentHashMap<Digest, Boolean> served = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> requestsByKind = new ConcurrentHashMap<>();
    private final int trackedDigests;
    private volatile boolean complete = true;
    /** Client connections open now (nodes, caches, publish commands, browsers). */
    final LongAdder openConnections = new LongAdder();
    /** Answers with a 5xx status (503s for overload counted in {@link #overloaded} too). */
    final LongAdder serverErrors = new LongAdder();
    /** Connections closed because their client read nothing of a waiting answer for the stall time. */
    final LongAdder stalledAnswers = new LongAdder();
    /** Requests refused with 503 because too many were in flight ({@link InFlightLimit}). */
    final LongAdder overloaded = new LongAdder();
    /** The heap figures of the stats, or null for none (tests of one component). */
    private final HeapGauge heap;

    Counters() {
        this((HeapGauge) null);
    }

    Counters(HeapGauge heap) {
        this(Integer.getInteger("stackshare.trackedDigests", DEFAULT_TRACKED_DIGESTS), heap);
    }

    Counters(int trackedDigests) {
        this(trackedDigests, null);
    }

    Counters(int trackedDigests, HeapGauge heap) {
        if (trackedDigests < 0) {
            throw new IllegalArgumentException("tracked digests must be >= 0, got " + trackedDigests);
        }
        this.trackedDigests = trackedDigests;
        this.heap = heap;
    }

    void objectServed(Digest digest, long frameBytes) {
        objectsServed.increment();
        objectBytesServed.add(frameBytes);
        if (served.containsKey(digest)) {
            objectsServedAgain.increment();
        } else if (served.size() < trackedDigests) {
            if (served.putIfAbsent(digest, Boolean.TRUE) != null) {
                objectsServedAgain.increment();
            }
        } else {
            complete = false;
        }
    }

    /** One authorised request, by the name of what it asked for ({@link ApiRequest}'s type). */
    void request(ApiRequest request) {
        requestsByKind.computeIfAbsent(request.getClass().getSimpleName(), k -> new LongAdder()).increment();
    }

    Api.ServerStats snapshot(long snapshots) {
        Map<String, Long> kinds = new TreeMap<>();
        requestsByKind.forEach((kind, count) -> kinds.put(kind, count.sum()));
        return new Api.ServerStats(requests.sum(), objectsServed.sum(), objectBytesServed.sum(), treesServed.sum(),
                batchRequests.sum(), unauthorized.sum(), snapshots, served.size(), objectsServedAgain.sum(), complete,
                kinds, overloaded.sum(), heap == null ? 0 : heap.used(), heap == null ? 0 : heap.peak(),
                heap == null ? 0 : heap.max(), openConnections.sum(), serverErrors.sum());
    }
}
