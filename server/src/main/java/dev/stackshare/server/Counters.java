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

    void objectServed(long frameBytes) {
        objectsServed.increment();
        objectBytesServed.add(frameBytes);
    }

    Api.ServerStats snapshot(long snapshots) {
        return new Api.ServerStats(requests.sum(), objectsServed.sum(), objectBytesServed.sum(), treesServed.sum(),
                batchRequests.sum(), unauthorized.sum(), snapshots);
    }
}
