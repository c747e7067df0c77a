package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native lstat reads what the JDK's unix: attributes say, for every kind of entry the walk meets. */
class FileStatTest {
    @TempDir
    Path tmp;

    @Test
    void nativeLstatAgreesWithTheJdk() throws IOException {
        assertTrue(FileStat.NativeLstat.load(), "jnr-posix has a native lstat on this platform");
        Path file = Files.writeString(tmp.resolve("f.py"), "x = 1\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x---"));
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Path link = Files.createSymbolicLink(tmp.resolve("l"), Path.of("dangling/target"));
        Path named = Files.writeString(tmp.resolve("n\u00e4me \u4e2d.txt"), "");
        for (Path p : new Path[] {file, dir, link, named}) {
            assertEquals(viaJdk(p), FileStat.NativeLstat.lstat(p), p.toString());
            assertEquals(viaJdk(p), FileStat.lstat(p), p.toString());
        }
        assertTrue(FileStat.lstat(link).isSymlink());
        assertThrows(NoSuchFileException.class, () -> FileStat.lstat(tmp.resolve("missing")));
        assertThrows(NoSuchFileException.class, () -> FileStat.lstat(file.resolve("below-a-file")));
    }

    private static FileStat viaJdk(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime,ctime,ino,dev",
                LinkOption.NOFOLLOW_LINKS);
        return new FileStat((Integer) a.get("mode"), (Long) a.get("size"),
                ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
                ((java.nio.file.attribute.FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS),
                (Long) a.get("ino"), (Long) a.get("dev"));
    }
}
