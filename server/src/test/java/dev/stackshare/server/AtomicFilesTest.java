package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheBytesOwnerOnlyAndLeavesNothingBeside() throws IOException {
        Path target = tmp.resolve("record.json");
        byte[] bytes = new byte[300_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        AtomicFiles.write(target, bytes);
        assertArrayEquals(bytes, Files.readAllBytes(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of(target), list(tmp));
    }

    @Test
    void replacesAnOlderFileWhole() throws IOException {
        Path target = tmp.resolve("view");
        AtomicFiles.write(target, "a much longer first version\n".getBytes());
        AtomicFiles.write(target, "second\n".getBytes());
        assertEquals("second\n", Files.readString(target));
        assertEquals(List.of(target), list(tmp));
    }

    @Test
    void aWriteThatCannotFinishLeavesNoTemporaryFile() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        // The rename fails: a directory stands where the file should go.
        Path target = Files.createDirectory(dir.resolve("target"));
        Files.writeString(target.resolve("inside"), "x");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, "bytes".getBytes()));
        assertEquals(List.of(target), list(dir));
        assertThrows(NoSuchFileException.class, () -> AtomicFiles.write(tmp.resolve("missing/file"), new byte[1]));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
