package dev.stackshare.protocol;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * A stream of objects in one HTTP body: the answer to a batch request and to a tree request.
 *
 * <pre>
 * +----------------+-----------+-------------------------+
 * | 32-byte digest | u32 len   | len bytes of zstd frame |   repeated until end of body
 * +----------------+-----------+-------------------------+
 * len = 0xFFFFFFFF: the server does not have that object; no bytes follow.
 * </pre>
 * The reader checks lengths against {@link Compression#MAX_OBJECT_BYTES} before allocating.
 */
public final class BatchStream {
    public static final int HEADER_BYTES = Digest.BYTES + 4;
    public static final int MISSING = -1;
    /** Most digests one batch request may name. */
    public static final int MAX_BATCH_DIGESTS = 100_000;

    private BatchStream() {
    }

    /** One object of a batch: {@code frame} is null when the server lacks it. */
    public record Item(Digest digest, byte[] frame) {
        public boolean missing() {
            return frame == null;
        }
    }

    public static byte[] header(Digest digest, int frameLength) {
        return ByteBuffer.allocate(HEADER_BYTES).put(digest.toBytes()).putInt(frameLength).array();
    }

    public static void write(OutputStream out, Digest digest, byte[] frame) throws IOException {
        out.write(header(digest, frame == null ? MISSING : frame.length));
        if (frame != null) {
            out.write(frame);
        }
    }

    /** Reads batch items one by one from a body. */
    public static final class Reader {
        private final DataInputStream in;

        public Reader(InputStream in) {
            this.in = new DataInputStream(in);
        }

        /** The next item, or null at a clean end of stream. */
        public Item next() throws IOException {
            byte[] digest = new byte[Digest.BYTES];
            int first = in.read(digest, 0, 1);
            if (first < 0) {
                return null;
            }
            try {
                in.readFully(digest, 1, Digest.BYTES - 1);
                int length = in.readInt();
                Digest d = Digest.fromBytes(digest);
                if (length == MISSING) {
                    return new Item(d, null);
                }
                if (length < 0 || length > Compression.MAX_OBJECT_BYTES + 1024) {
                    throw new ProtocolException("batch frame for " + d.shortHex() + " claims " + length + " bytes");
                }
                byte[] frame = new byte[length];
                in.readFully(frame);
                return new Item(d, frame);
            } catch (EOFException e) {
                throw new ProtocolException("batch stream ends inside a frame", e);
            }
        }
    }
}
