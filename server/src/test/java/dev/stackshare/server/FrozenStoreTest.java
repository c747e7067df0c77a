package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrozenStoreTest {
    @TempDir
    Path tmp;

    @Test
    void storesAZstdFrameUnderTheDigestOfTheRawBytes() throws IOException {
        FrozenStore store = FrozenStore.open(tmp.resolve("objects"));
        byte[] raw = "hello, frozen world".getBytes();
        Digest d = Digest.of(raw);
        assertTrue(store.put(d, raw) > 0);
        Path file = tmp.resolve("objects").resolve(d.hex().substring(0, 2)).resolve(d.hex());
        assertArrayEquals(raw, Compression.decompress(Files.readAllBytes(file)));
        assertArrayEquals(raw, store.readRaw(d));
    }

    @Test
    void secondPutOfTheSameObjectWritesNothing() throws IOException {
        FrozenStore store = FrozenStore.open(tmp.resolve("objects"));
        byte[] raw = "dedup".getBytes();
        store.put(Digest.of(raw), raw);
        assertEquals(0, store.put(Digest.of(raw), raw));
    }

    @Test
    void putOfASliceStoresOnlyTheSlice() throws IOException {
        FrozenStore store = FrozenStore.open(tmp.resolve("objects"));
        byte[] buf = "xxABCxx".getBytes();
        Digest d = Digest.of(buf, 2, 3);
        store.put(d, buf, 2, 3);
        assertArrayEquals("ABC".getBytes(), store.readRaw(d));
    }

    @Test
    void leavesNoTemporaryFilesBehind() throws IOException {
        FrozenStore store = FrozenStore.open(tmp.resolve("objects"));
        for (int i = 0; i < 50; i++) {
            byte[] raw = ("object " + i).getBytes();
            store.put(Digest.of(raw), raw);
        }
        try (Stream<Path> all = Files.walk(tmp.resolve("objects"))) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")));
        }
    }

    @Test
    void missingObjectIsNullAndCorruptOneIsRefused() throws IOException {
        FrozenStore store = FrozenStore.open(tmp.resolve("objects"));
        Digest d = Digest.of("original".getBytes());
        assertNull(store.readFrame(d));
        Files.write(store.pathOf(d), Compression.compress("tampered".getBytes()));
        assertThrows(DigestMismatchException.class, () -> store.readRaw(d));
    }
}
