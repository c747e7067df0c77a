package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/** Refuses any object whose bytes do not hash to the digest asked for: wrong bytes are never used. */
final class VerifyingObjectSource implements ObjectSource {
    private final ObjectSource next;
    private final String where;

    /** @param where names the origin in error messages, e.g. the server URL */
    VerifyingObjectSource(ObjectSource next, String where) {
        this.next = next;
        this.where = where;
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        return verified(digest, next.get(digest));
    }

    @Override
    public Map<Digest, byte[]> getAll(Collection<Digest> digests) throws IOException {
        Map<Digest, byte[]> all = next.getAll(digests);
        for (Digest d : digests) {
            byte[] raw = all.get(d);
            if (raw == null) {
                throw new IOException("object " + d.hex() + " is missing from the answer of " + where);
            }
            verified(d, raw);
        }
        return all;
    }

    @Override
    public void getEach(Collection<Digest> digests, Sink sink) throws IOException {
        next.getEach(digests, (digest, raw) -> sink.accept(digest, verified(digest, raw)));
    }

    private byte[] verified(Digest digest, byte[] raw) throws DigestMismatchException {
        Digest actual = Digest.of(raw);
        if (!actual.equals(digest)) {
            throw new DigestMismatchException(digest, actual, where);
        }
        return raw;
    }
}
