package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

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
     * that can serve many objects in one request override this.
     */
    default Map<Digest, byte[]> getAll(Collection<Digest> digests) throws IOException {
        Map<Digest, byte[]> out = new LinkedHashMap<>();
        for (Digest d : digests) {
            if (!out.containsKey(d)) {
                out.put(d, get(d));
            }
        }
        return out;
    }
}
