package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.ProtocolException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FileReaderTest {
    private static final int CS = TestSnapshot.CHUNK_SIZE;
    private final TestSnapshot objects = new TestSnapshot();
    private final List<Digest> fetched = new CopyOnWriteArrayList<>();
    private final ObjectSource recording = d -> {
        fetched.add(d);
        return objects.get(d);
    };
    private final List<Runnable> readAheads = new ArrayList<>();
    private final FileReader reader = new FileReader(recording, CS, readAheads::add);
    private final byte[] content = TestSnapshot.bytes(4 * CS + 100, 7);
    private final Entry.File big = objects.file("big", 0644, content);

    private ReadState open(Entry.File f) throws IOException {
        return new ReadState("/big", f, objects.chunksOf(f));
    }

    private byte[] read(ReadState file, long offset, int length) throws IOException {
        byte[] out = new byte[length];
        int n = reader.read(file, offset, length, (at, src, from, len) -> System.arraycopy(src, from, out, (int) at, len));
        return Arrays.copyOf(out, n);
    }

    @Test
    void readAcrossAChunkBoundaryFetchesBothChunksOnly() throws IOException {
        ReadState file = open(big);
        byte[] got = read(file, CS - 10, 30);
        assertArrayEquals(Arrays.copyOfRange(content, CS - 10, CS + 20), got);
        assertEquals(List.of(file.chunks().get(0), file.chunks().get(1)), fetched);
    }

    @Test
    void readSpanningManyChunksIsComplete() throws IOException {
        ReadState file = open(big);
        assertArrayEquals(Arrays.copyOfRange(content, 5, 5 + 3 * CS), read(file, 5, 3 * CS));
    }

    @Test
    void readStopsAtEndOfFile() throws IOException {
        ReadState file = open(big);
        assertArrayEquals(Arrays.copyOfRange(content, content.length - 50, content.length), read(file, content.length - 50, 4096));
        assertEquals(0, read(file, content.length, 10).length);
        assertEquals(0, read(file, content.length + 100, 10).length);
    }

    @Test
    void smallFileIsOneChunk() throws IOException {
        Entry.File small = objects.file("small", 0644, "hello".getBytes());
        ReadState file = new ReadState("/small", small, List.of(small.content()));
        assertArrayEquals("ell".getBytes(), read(file, 1, 3));
        assertTrue(readAheads.isEmpty());
    }

    @Test
    void sequentialReadingReadsTheNextChunkAheadOnce() throws IOException {
        ReadState file = open(big);
        read(file, 0, 1024);
        read(file, 1024, 1024);
        assertEquals(1, readAheads.size(), "one read-ahead for chunk 1, claimed once");
        readAheads.get(0).run();
        assertEquals(List.of(file.chunks().get(0), file.chunks().get(0), file.chunks().get(1)), fetched);
    }

    @Test
    void randomReadsDoNotReadAhead() throws IOException {
        ReadState file = open(big);
        read(file, 2 * CS + 7, 100);
        read(file, 100, 100);
        assertTrue(readAheads.isEmpty());
    }

    @Test
    void aChunkOfTheWrongLengthIsAnError() throws IOException {
        Digest shortChunk = objects.put(new byte[10]);
        Entry.File liar = new Entry.File("liar", 0644, 100, TestSnapshot.MTIME, shortChunk);
        ReadState file = new ReadState("/liar", liar, List.of(shortChunk));
        assertThrows(ProtocolException.class, () -> read(file, 0, 100));
    }

    @Test
    void aFailedFetchNamesTheChunkAndPath() throws IOException {
        ReadState file = open(big);
        FileReader failing = new FileReader(d -> {
            throw new IOException("boom");
        }, CS, Runnable::run);
        IOException e = assertThrows(IOException.class, () -> failing.read(file, CS, 10, (a, s, f, l) -> { }));
        assertTrue(e.getMessage().contains(file.chunks().get(1).hex()), e.getMessage());
        assertTrue(e.getMessage().contains("/big"), e.getMessage());
    }
}
