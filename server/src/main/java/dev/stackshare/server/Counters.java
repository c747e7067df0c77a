package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import java.util.concurrent.atomic.LongAdder;

/** What the server has done since it started; read by GET /v1/stats and by tests. */
final class Counters {
    final LongAdder requests = new LongAdder();
    final LongAdder objectsServed = new LongAdder();
    final LongAdder objectBytesServed = new LongAdder();
    final LongAdder treesServed = new LongAdder();
    final LongAdder batchRequests = new LongAdder();
    final LongAdder unauthorized = new LongAdder();
    /** Requests refused with 503 because too many were in flight ({@link InFlightLimit}). */
    final LongAdder overloaded = new LongAdder();
    /** The heap figures of the stats, or null for none (tests of one component). */
    private final HeapGauge heap;

    Counters() {
        this(null);
    }

    Counters(HeapGauge heap) {
        this.heap = heap;
    }

    void objectServed(long frameBytes) {
        objectsServed.increment();
        objectBytesServed.add(frameBytes);
    }

    Api.ServerStats snapshot(long snapshots) {
        long used = heap == null ? 0 : heap.used();
        return new Api.ServerStats(requests.sum(), objectsServed.sum(), objectBytesServed.sum(), treesServed.sum(),
                batchRequests.sum(), unauthorized.sum(), snapshots, overloaded.sum(), used,
                heap == null ? 0 : heap.peak(), heap == null ? 0 : heap.max());
    }
}
