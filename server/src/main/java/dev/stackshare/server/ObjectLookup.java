package dev.stackshare.server;

import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import java.io.IOException;

/**
 * Answers "give me object D" from the two places a published object can be: the frozen store
 * (directories, chunk lists, live content) and, for stable roots, the original file checked
 * against D. Nothing else on disk can be named, so a digest of a file outside the roots finds nothing.
 */
final class ObjectLookup {
    private final FrozenStore store;
    private final StableLocations stable;
    private final StableFrameCache stableFrames;

    ObjectLookup(FrozenStore store, StableLocations stable) {
        this(store, stable, null);
    }

    /** @param stableFrames compressed frames of stable chunks already served, or null for none */
    ObjectLookup(FrozenStore store, StableLocations stable, StableFrameCache stableFrames) {
        this.store = store;
        this.stable = stable;
        this.stableFrames = stableFrames;
    }

    boolean knows(Digest digest) {
        return store.contains(digest) || stable.contains(digest);
    }

    /**
     * The object's zstd frame, or null when no published snapshot has it.
     *
     * @throws ContentChangedException if it lives in a stable root whose file no longer holds it
     */
    byte[] frame(Digest digest) throws IOException {
        byte[] frame = store.readFrame(digest);
        if (frame != null) {
            return frame;
        }
        if (stableFrames == null) {
            byte[] raw = stable.read(digest);
            return raw == null ? null : Compression.compress(raw);
        }
        StableLocations.Location[] places = stable.places(digest);
        if (places == null) {
            return null;
        }
        byte[] cached = stableFrames.get(digest, places);
        if (cached != null) {
            return cached;
        }
        StableLocations.Verified verified = stable.readVerified(digest);
        if (verified == null) {
            return null;
        }
        byte[] compressed = Compression.compress(verified.bytes());
        stableFrames.put(digest, verified, compressed);
        return compressed;
    }
}
