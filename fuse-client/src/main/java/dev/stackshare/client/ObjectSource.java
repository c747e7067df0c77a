package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where objects come from: one small interface so that the memory cache, the disk cache, the
 * verifier and the HTTP fetcher stack on each other and can each be tested alone.
 *
 * <p>Returned arrays are shared (the memory cache hands the same array to every reader), so
 * callers must never modify them.
 */
interface ObjectSource {
    /** The raw bytes of one object; never null. */
    byte[] get(Digest digest) throws IOException;

    /**
     * Every object asked for, keyed by digest, or an exception: never a partial answer. Layers
     * that can serve many objects in one request override {@link #getEach}.
     */
    default Map<Digest, byte[]> getAll(Collection<Digest> digests) throws IOException {
        Map<Digest, byte[]> out = new LinkedHashMap<>();
        getEach(digests, out::put);
        return out;
    }

    /**
     * Hands each object asked for to {@code sink} as soon as it is in hand, so a reader waiting
     * for the first object of a long batch need not wait for the last. Each distinct digest
     * reaches the sink once; when some object cannot be had this throws, after the sink has seen
     * the others that arrived before the failure.
     */
    default void getEach(Collection<Digest> digests, Sink sink) throws IOException {
        Set<Digest> seen = new HashSet<>();
        for (Digest d : digests) {
            if (seen.add(d)) {
                sink.accept(d, get(d));
            }
        }
    }

    /** Receives objects as they arrive. */
    @FunctionalInterface
    interface Sink {
        void accept(Digest digest, byte[] raw) throws IOException;
    }
}
