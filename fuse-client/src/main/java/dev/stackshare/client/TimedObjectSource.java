package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.util.Collection;
import java.util.function.LongConsumer;

/**
 * Tells how long each object took to come from the layer below: from the request (a single GET,
 * or the start of the batch it came in) to its bytes in hand. For load tests; it sits under the
 * verifier, so the disk cache still knows its objects are verified.
 */
final class TimedObjectSource implements ObjectSource {
    private final ObjectSource next;
    private final LongConsumer latencyNanos;

    TimedObjectSource(ObjectSource next, LongConsumer latencyNanos) {
        this.next = next;
        this.latencyNanos = latencyNanos;
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        long start = System.nanoTime();
        byte[] raw = next.get(digest);
        latencyNanos.accept(System.nanoTime() - start);
        return raw;
    }

    @Override
    public void getEach(Collection<Digest> digests, Sink sink) throws IOException {
        long start = System.nanoTime();
        next.getEach(digests, (digest, raw) -> {
            latencyNanos.accept(System.nanoTime() - start);
            sink.accept(digest, raw);
        });
    }
}
