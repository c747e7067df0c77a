package dev.stackshare.client;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The objects a job read through one mount, in the order it first read them: a later mount of
 * the snapshot fetches them in that order, so the stream brings the job's first reads first.
 * Safe for libfuse's concurrent threads; bounded at {@link BatchStream#MAX_BATCH_DIGESTS}, the
 * most one batch request names.
 */
final class TraceRecorder {
    private final int limit;
    private final Set<Digest> seen = ConcurrentHashMap.newKeySet();
    private final Queue<Digest> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    TraceRecorder() {
        this(BatchStream.MAX_BATCH_DIGESTS);
    }

    TraceRecorder(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("trace limit must be >= 1, got " + limit);
        }
        this.limit = limit;
    }

    /** Notes a read of this object; repeats and objects past the limit are ignored. */
    void read(Digest digest) {
        if (size.get() < limit && !seen.contains(digest) && seen.add(digest)) {
            if (size.incrementAndGet() <= limit) {
                order.add(digest);
            }
        }
    }

    /** What was read so far, first reads first. */
    List<Digest> digests() {
        return new ArrayList<>(order);
    }
}
