package dev.stackshare.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The decoders' size limits (docs/security.md), each at its edge: what is at the limit decodes,
 * one more is refused with {@link ProtocolException}, and a length the input cannot hold is
 * refused before anything is allocated for it.
 */
class LimitsTest {
    private static final int MAGIC = 0x53534431; // "SSD1"

    /** A directory object of symlinks with the given name and target, encoded by hand (the encoder refuses bad ones). */
    private static byte[] directory(int claimedCount, String name, String target) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + 1 + 2 + n.length + 4 + 8 + 8 + 2 + t.length);
        b.putInt(MAGIC).putInt(claimedCount);
        b.put((byte) 3).putShort((short) n.length).put(n).putInt(0777).putLong(t.length).putLong(0)
                .putShort((short) t.length).put(t);
        return b.array();
    }

    @Test
    void directoryNamesAndTargetsHaveTheirLimits() throws ProtocolException {
        String name255 = "n".repeat(Entry.MAX_NAME_BYTES);
        String target4096 = "t".repeat(Entry.MAX_TARGET_BYTES);
        Directory ok = DirectoryCodec.decode(directory(1, name255, target4096));
        assertEquals(name255, ok.entries().get(0).name());
        assertArrayEquals(directory(1, name255, target4096), DirectoryCodec.encode(ok), "canonical at the limits");
        assertThrows(ProtocolException.class, () -> DirectoryCodec.decode(directory(1, name255 + "n", "t")), "256-byte name");
        assertThrows(ProtocolException.class, () -> DirectoryCodec.decode(directory(1, "n", target4096 + "t")),
                "4097-byte symlink target");
        assertThrows(ProtocolException.class, () -> DirectoryCodec.decode(directory(1, "é".repeat(128), "t")),
                "256 bytes of UTF-8 in 128 characters");
    }

    @Test
    void directoryEntryCountIsBoundedAndCheckedAgainstTheBytesFirst() {
        for (int count : List.of(Directory.MAX_ENTRIES + 1, Integer.MAX_VALUE, -1, 2, 1 << 20)) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> DirectoryCodec.decode(directory(count, "n", "t")), "count " + count);
            assertTrue(e.getMessage().contains("claims") || e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void chunkListCountMustMatchItsBytes() {
        ByteBuffer b = ByteBuffer.allocate(8 + Digest.BYTES).putInt(0x53534331).putInt(Integer.MAX_VALUE);
        assertThrows(ProtocolException.class, () -> ChunkList.decode(b.array()));
    }

    @Test
    void anObjectFrameMayDeclareAtMost64MiB() throws ProtocolException {
        byte[] atLimit = Compression.compress(new byte[Compression.MAX_OBJECT_BYTES]);
        assertEquals(Compression.MAX_OBJECT_BYTES, Compression.decompress(atLimit).length);
        byte[] over = Compression.compress(new byte[Compression.MAX_OBJECT_BYTES + 1]);
        ProtocolException e = assertThrows(ProtocolException.class, () -> Compression.decompress(over));
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
    }

    @Test
    void aBatchFrameLengthIsCheckedBeforeItsBytesAreRead() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Digest.of(new byte[0]).toBytes());
        out.write(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE - 1).array());
        BatchStream.Reader reader = new BatchStream.Reader(new ByteArrayInputStream(out.toByteArray()));
        ProtocolException e = assertThrows(ProtocolException.class, reader::next);
        assertTrue(e.getMessage().contains("claims"), e.getMessage());
    }

    @Test
    void aSnapshotRecordsChunkSizeIsBounded() {
        Snapshot s = new Snapshot("0123456789abcdef", "default", Instant.parse("2026-11-25T00:00:00Z"),
                Chunking.MAX_CHUNK_SIZE, Digest.of(new byte[0]), List.of(), Map.of());
        String json = new String(Json.write(s), StandardCharsets.UTF_8);
        String over = json.replace(Integer.toString(Chunking.MAX_CHUNK_SIZE), Integer.toString(2 * Chunking.MAX_CHUNK_SIZE));
        assertThrows(ProtocolException.class, () -> Json.read(over.getBytes(StandardCharsets.UTF_8), Snapshot.class));
    }
}
