package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StableFrameCacheTest {
    @TempDir
    Path tmp;
    final StableLocations stable = new StableLocations();

    private ObjectLookup lookup(long bound, long settle) throws IOException {
        return new ObjectLookup(FrozenStore.open(tmp.resolve("objects")), stable,
                StableFrameCache.open(tmp.resolve("stable-frames"), bound, settle));
    }

    @Test
    void secondRequestIsAnsweredWithoutReadingTheSourceFile() throws IOException {
        byte[] bytes = Trees.randomBytes(10_000, 7);
        Path root = tmp.resolve("root");
        Path f = Trees.file(root, "lib.so", bytes);
        Digest second = Digest.of(bytes, 4096, 4096);
        stable.addFile(f, root.toRealPath(), bytes.length, 4096,
                List.of(Digest.of(bytes, 0, 4096), second, Digest.of(bytes, 8192, 10_000 - 8192)));
        ObjectLookup lookup = lookup(1 << 20, 0);
        assertArrayEquals(Arrays.copyOfRange(bytes, 4096, 8192), Compression.decompress(lookup.frame(second)));
        assertEquals(1, stable.sourceReads());
        assertArrayEquals(Arrays.copyOfRange(bytes, 4096, 8192), Compression.decompress(lookup.frame(second)));
        assertEquals(1, stable.sourceReads(), "the second answer came from the cache");
        // A server started again over the same state finds the frame too.
        ObjectLookup again = lookup(1 << 20, 0);
        assertArrayEquals(Arrays.copyOfRange(bytes, 4096, 8192), Compression.decompress(again.frame(second)));
        assertEquals(1, stable.sourceReads());
    }

    @Test
    void changedFileIsStillReportedChangedAfterItWasCached() throws IOException {
        Path root = tmp.resolve("root");
        Path f = Trees.file(root, "f", "version 1");
        Digest d = Digest.of("version 1".getBytes());
        stable.addFile(f, root.toRealPath(), 9, 4096, List.of(d));
        ObjectLookup lookup = lookup(1 << 20, 0);
        lookup.frame(d);
        lookup.frame(d);
        assertEquals(1, stable.sourceReads());
        FileTime mtime = Files.getLastModifiedTime(f);
        Files.writeString(f, "version 2"); // same size
        Files.setLastModifiedTime(f, mtime); // even with the old mtime: ctime changed
        assertThrows(ContentChangedException.class, () -> lookup.frame(d));
        assertEquals(2, stable.sourceReads());
    }

    @Test
    void fileReplacedByRenameIsReportedChanged() throws IOException {
        Path root = tmp.resolve("root");
        Path f = Trees.file(root, "f", "version 1");
        Digest d = Digest.of("version 1".getBytes());
        stable.addFile(f, root.toRealPath(), 9, 4096, List.of(d));
        ObjectLookup lookup = lookup(1 << 20, 0);
        lookup.frame(d);
        Path other = Trees.file(root, "g", "version 2");
        Files.move(other, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThrows(ContentChangedException.class, () -> lookup.frame(d));
    }

    @Test
    void recentlyChangedFileIsNotCached() throws IOException {
        Path root = tmp.resolve("root");
        Path f = Trees.file(root, "f", "fresh");
        Digest d = Digest.of("fresh".getBytes());
        stable.addFile(f, root.toRealPath(), 5, 4096, List.of(d));
        ObjectLookup lookup = lookup(1 << 20, StableFrameCache.SETTLE_NANOS);
        lookup.frame(d);
        lookup.frame(d);
        assertEquals(2, stable.sourceReads(), "a file changed within the last 2 s is read each time");
    }

    @Test
    void staysUnderItsBound() throws IOException {
        Path root = tmp.resolve("root");
        StableFrameCache cache = StableFrameCache.open(tmp.resolve("stable-frames"), 20_000, 0);
        ObjectLookup lookup = new ObjectLookup(FrozenStore.open(tmp.resolve("objects")), stable, cache);
        for (int i = 0; i < 20; i++) {
            byte[] bytes = Trees.randomBytes(4000, i);
            Path f = Trees.file(root, "f" + i, bytes);
            Digest d = Digest.of(bytes);
            stable.addFile(f, root.toRealPath(), bytes.length, 4096, List.of(d));
            lookup.frame(d);
        }
        assertTrue(cache.bytes() <= 20_000, "cache holds " + cache.bytes());
        assertTrue(cache.bytes() > 0);
    }

    @Test
    void unknownDigestIsNull() throws IOException {
        assertNull(lookup(1 << 20, 0).frame(Digest.of("never".getBytes())));
    }
}
