package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StableLocationsTest {
    @TempDir
    Path tmp;
    final StableLocations locations = new StableLocations();

    @Test
    void readsAChunkInPlaceWhenItStillMatches() throws IOException {
        byte[] bytes = Trees.randomBytes(10_000, 5);
        Path root = tmp.resolve("root").toAbsolutePath();
        Path f = Trees.file(root, "f", bytes);
        Digest second = Digest.of(bytes, 4096, 4096);
        locations.addFile(f, root.toRealPath(), bytes.length, 4096,
                List.of(Digest.of(bytes, 0, 4096), second, Digest.of(bytes, 8192, 10_000 - 8192)));
        assertArrayEquals(Arrays.copyOfRange(bytes, 4096, 8192), locations.read(second));
    }

    @Test
    void unknownDigestIsNull() throws IOException {
        assertNull(locations.read(Digest.of("never published".getBytes())));
    }

    @Test
    void editedFileIsReportedChangedNotServed() throws IOException {
        Path root = tmp.resolve("root");
        Path f = Trees.file(root, "f", "version 1");
        Digest d = Digest.of("version 1".getBytes());
        locations.addFile(f, root.toRealPath(), 9, 4096, List.of(d));
        Files.writeString(f, "version 2");
        ContentChangedException e = assertThrows(ContentChangedException.class, () -> locations.read(d));
        assertTrue(e.getMessage().contains("changed since it was published"), e.getMessage());
    }

    @Test
    void removedFileIsReportedChanged() throws IOException {
        Path root = tmp.resolve("root");
        Path f = Trees.file(root, "f", "gone soon");
        Digest d = Digest.of("gone soon".getBytes());
        locations.addFile(f, root.toRealPath(), 9, 4096, List.of(d));
        Files.delete(f);
        ContentChangedException e = assertThrows(ContentChangedException.class, () -> locations.read(d));
        assertTrue(e.getMessage().contains("removed"), e.getMessage());
    }

    @Test
    void fileReplacedBySymlinkIsNotFollowedEvenToIdenticalBytes() throws IOException {
        Path root = tmp.resolve("root");
        Path f = Trees.file(root, "f", "same bytes");
        Path elsewhere = Trees.file(tmp, "outside/f", "same bytes");
        Digest d = Digest.of("same bytes".getBytes());
        locations.addFile(f, root.toRealPath(), 10, 4096, List.of(d));
        Files.delete(f);
        Files.createSymbolicLink(f, elsewhere);
        assertThrows(ContentChangedException.class, () -> locations.read(d));
    }

    @Test
    void directorySwappedForSymlinkOutOfTheRootIsRefused() throws IOException {
        Path root = tmp.resolve("root");
        Path f = Trees.file(root, "sub/f", "same bytes");
        Trees.file(tmp, "outside/f", "same bytes");
        Digest d = Digest.of("same bytes".getBytes());
        locations.addFile(f, root.toRealPath(), 10, 4096, List.of(d));
        Files.delete(f);
        Files.delete(root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("sub"), tmp.resolve("outside"));
        ContentChangedException e = assertThrows(ContentChangedException.class, () -> locations.read(d));
        assertTrue(e.getMessage().contains("outside its root"), e.getMessage());
    }

    @Test
    void anotherCopyServesWhenTheFirstChanged() throws IOException {
        Path root = tmp.resolve("root");
        Path a = Trees.file(root, "a", "shared");
        Path b = Trees.file(root, "b", "shared");
        Digest d = Digest.of("shared".getBytes());
        locations.addFile(a, root.toRealPath(), 6, 4096, List.of(d));
        locations.addFile(b, root.toRealPath(), 6, 4096, List.of(d));
        Files.writeString(b, "edited");
        assertArrayEquals("shared".getBytes(), locations.read(d));
    }

    @Test
    void fileSwappedForAFifoIsReportedChangedWithoutWaitingForAWriter() throws IOException {
        Path root = tmp.resolve("root");
        Path f = Trees.file(root, "f", "in place");
        Digest d = Digest.of("in place".getBytes());
        locations.addFile(f, root.toRealPath(), 8, 4096, List.of(d));
        Trees.bash(root, "mkfifo .f && mv .f f");
        ContentChangedException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ContentChangedException.class, () -> locations.read(d)));
        assertTrue(e.getMessage().contains("no longer a regular file but a fifo"), e.getMessage());
    }
}
