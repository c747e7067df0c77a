package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileHasherTest {
    @TempDir
    Path tmp;

    @Test
    void emptyFileIsOneChunkOfZeroBytes() throws IOException {
        Path f = Trees.file(tmp, "empty", new byte[0]);
        FileHasher.Hashed h = new FileHasher(4096, FileHasher.ReadListener.NONE)
                .hash(f, FileStat.lstat(f), FileHasher.ChunkSink.IGNORE);
        assertEquals(List.of(Digest.of(new byte[0])), h.chunks());
    }

    @Test
    void sinkSeesEveryChunkInOrder() throws IOException {
        byte[] bytes = Trees.randomBytes(10_000, 1);
        Path f = Trees.file(tmp, "f", bytes);
        List<Integer> lengths = new ArrayList<>();
        FileHasher.Hashed h = new FileHasher(4096, FileHasher.ReadListener.NONE)
                .hash(f, FileStat.lstat(f), (d, buf, len) -> {
                    assertEquals(d, Digest.of(buf, 0, len));
                    lengths.add(len);
                });
        assertEquals(List.of(4096, 4096, 1808), lengths);
        assertEquals(3, h.chunks().size());
    }

    @Test
    void fileChangedOnceWhileReadIsReadAgainAndGivesTheNewBytes() throws IOException {
        Path f = Trees.file(tmp, "f", Trees.randomBytes(10_000, 1));
        byte[] replacement = Trees.randomBytes(9_000, 2);
        AtomicInteger calls = new AtomicInteger();
        FileHasher hasher = new FileHasher(4096, (file, index) -> {
            if (calls.getAndIncrement() == 0) {
                Files.write(file, replacement);
            }
        });
        FileHasher.Hashed h = hasher.hash(f, FileStat.lstat(f), FileHasher.ChunkSink.IGNORE);
        assertEquals(9_000, h.stat().size());
        assertEquals(Digest.of(replacement, 0, 4096), h.chunks().get(0));
    }

    @Test
    void fileThatKeepsChangingIsReportedWithItsPath() throws IOException {
        Path f = Trees.file(tmp, "busy.log", "start\n");
        FileHasher hasher = new FileHasher(4096, (file, index) ->
                Files.writeString(file, "more\n", StandardOpenOption.APPEND));
        ServerException e = assertThrows(FileKeepsChangingException.class,
                () -> hasher.hash(f, FileStat.lstat(f), FileHasher.ChunkSink.IGNORE));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("changed while it was read"), e.getMessage());
    }

    @Test
    void sameSizeRewriteIsNoticedByItsTimes() throws IOException {
        Path f = Trees.file(tmp, "f", "aaaa");
        FileStat before = FileStat.lstat(f);
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(0));
        Files.writeString(f, "bbbb");
        FileHasher.Hashed h = new FileHasher(4096, FileHasher.ReadListener.NONE)
                .hash(f, before, FileHasher.ChunkSink.IGNORE);
        assertEquals(Digest.of("bbbb".getBytes()), h.chunks().get(0));
    }
}
