package dev.stackshare.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchStreamTest {
    @Test
    void framesAndMissingMarkersRoundTrip() throws Exception {
        byte[] raw = "hello objects".getBytes(StandardCharsets.UTF_8);
        Digest present = Digest.of(raw);
        Digest absent = Digest.of(new byte[] {1});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BatchStream.write(out, present, Compression.compress(raw));
        BatchStream.write(out, absent, null);

        BatchStream.Reader reader = new BatchStream.Reader(new ByteArrayInputStream(out.toByteArray()));
        BatchStream.Item first = reader.next();
        assertEquals(present, first.digest());
        assertArrayEquals(raw, Compression.decompress(first.frame()));
        assertTrue(reader.next().missing());
        assertNull(reader.next());
    }

    @Test
    void streamCutInsideAFrameIsAProtocolException() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BatchStream.write(out, Digest.of(new byte[0]), Compression.compress(new byte[100]));
        byte[] all = out.toByteArray();
        for (int n = 1; n < all.length; n++) {
            BatchStream.Reader reader = new BatchStream.Reader(new ByteArrayInputStream(Arrays.copyOf(all, n)));
            assertThrows(ProtocolException.class, reader::next, "cut at " + n);
        }
    }

    @Test
    void hugeDeclaredLengthIsRefusedBeforeAllocating() {
        byte[] header = BatchStream.header(Digest.of(new byte[0]), Integer.MAX_VALUE);
        BatchStream.Reader reader = new BatchStream.Reader(new ByteArrayInputStream(header));
        assertThrows(ProtocolException.class, reader::next);
    }

    @Test
    void corruptCompressedFrameIsAProtocolException() {
        byte[] frame = Compression.compress("some bytes to squeeze".getBytes(StandardCharsets.UTF_8));
        frame[frame.length - 3] ^= 0x55;
        frame[5] ^= 0x55;
        assertThrows(ProtocolException.class, () -> Compression.decompress(frame));
        assertThrows(ProtocolException.class, () -> Compression.decompress(new byte[] {1, 2, 3}));
    }
}
