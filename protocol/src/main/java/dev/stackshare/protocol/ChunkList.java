package dev.stackshare.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The chunks of a file larger than one chunk, in order. Chunk {@code i} covers bytes
 * {@code [i * chunkSize, min(size, (i + 1) * chunkSize))}.
 *
 * <pre>
 * +--------+-----------+------------------------+
 * | "SSC1" | u32 count | 32-byte digest * count |
 * +--------+-----------+------------------------+
 * </pre>
 */
public record ChunkList(List<Digest> chunks) {
    private static final int MAGIC = 0x53534331; // "SSC1"

    public ChunkList {
        chunks = List.copyOf(chunks);
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(8 + chunks.size() * Digest.BYTES);
        out.putInt(MAGIC).putInt(chunks.size());
        for (Digest d : chunks) {
            d.putInto(out);
        }
        return out.array();
    }

    public static ChunkList decode(byte[] bytes) throws ProtocolException {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.getInt() != MAGIC) {
                throw new ProtocolException("not a chunk list object (bad magic)");
            }
            int count = in.getInt();
            if (count < 0 || (long) count * Digest.BYTES != in.remaining()) {
                throw new ProtocolException("chunk list claims " + count + " chunks in " + bytes.length + " bytes");
            }
            List<Digest> chunks = new ArrayList<>(count);
            byte[] raw = new byte[Digest.BYTES];
            for (int i = 0; i < count; i++) {
                in.get(raw);
                chunks.add(Digest.fromBytes(raw));
            }
            return new ChunkList(chunks);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("chunk list object is truncated", e);
        }
    }
}
