package dev.stackshare.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkListTest {
    @Test
    void roundTrip() throws Exception {
        List<Digest> chunks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            chunks.add(Digest.of(new byte[] {(byte) i}));
        }
        ChunkList list = new ChunkList(chunks);
        assertEquals(list, ChunkList.decode(list.encode()));
    }

    @Test
    void countThatDisagreesWithLengthIsRefused() {
        byte[] bytes = new ChunkList(List.of(Digest.of(new byte[0]))).encode();
        bytes[7] = 2;
        assertThrows(ProtocolException.class, () -> ChunkList.decode(bytes));
    }

    @Test
    void chunkArithmetic() {
        int cs = Chunking.DEFAULT_CHUNK_SIZE;
        assertEquals(1, Chunking.chunkCount(0, cs));
        assertEquals(1, Chunking.chunkCount(cs, cs));
        assertEquals(2, Chunking.chunkCount(cs + 1L, cs));
        assertEquals(1, Chunking.chunkLength(cs + 1L, cs, 1));
        assertEquals(false, Chunking.isChunked(cs, cs));
        assertEquals(true, Chunking.isChunked(cs + 1L, cs));
        assertThrows(IllegalArgumentException.class, () -> Chunking.checkChunkSize(3000));
    }
}
