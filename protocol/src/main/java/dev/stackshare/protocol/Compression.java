package dev.stackshare.protocol;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;

/**
 * Objects travel and rest as single zstd frames that record their content size; the digest
 * is always of the decompressed bytes.
 */
public final class Compression {
    /** Largest object anyone may ask us to inflate: a max-size chunk or a big directory listing. */
    public static final int MAX_OBJECT_BYTES = 64 * 1024 * 1024;
    /** Fast: publish and serving compress on the fly, and the network is rarely slower than level 1. */
    private static final int LEVEL = 1;
    /** Magic number and the smallest frame header. */
    private static final int MIN_FRAME_BYTES = 6;

    private Compression() {
    }

    public static byte[] compress(byte[] raw) {
        return Zstd.compress(raw, LEVEL);
    }

    public static byte[] decompress(byte[] frame) throws ProtocolException {
        if (frame.length < MIN_FRAME_BYTES) {
            // zstd-jni indexes into the header unchecked; found by DecoderFuzzTest.
            throw new ProtocolException("object frame of " + frame.length + " bytes is too short to be zstd");
        }
        long size;
        try {
            size = Zstd.getFrameContentSize(frame);
        } catch (ZstdException | IndexOutOfBoundsException e) {
            throw new ProtocolException("object is not a zstd frame: " + e.getMessage(), e);
        }
        if (size < 0 || size > MAX_OBJECT_BYTES) {
            throw new ProtocolException("object frame declares " + size + " bytes (limit " + MAX_OBJECT_BYTES + ")");
        }
        byte[] out = new byte[(int) size];
        try {
            long n = Zstd.decompressByteArray(out, 0, out.length, frame, 0, frame.length);
            if (n != size) {
                throw new ProtocolException("object frame inflated to " + n + " bytes, declared " + size);
            }
        } catch (ZstdException | IndexOutOfBoundsException e) {
            throw new ProtocolException("object frame is corrupt: " + e.getMessage(), e);
        }
        return out;
    }
}
