package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootSetTest {
    @TempDir
    Path tmp;

    private String error(Path... roots) {
        return assertThrows(ServerException.class, () -> RootSet.of(List.of(roots))).getMessage();
    }

    @Test
    void missingRootSaysCheckThePath() {
        Path x = tmp.resolve("x");
        assertEquals("root " + x + " does not exist; check the --root path", error(x));
    }

    @Test
    void fileRootSaysGiveItsParent() throws IOException {
        Path f = Files.writeString(tmp.resolve("f"), "x");
        assertEquals("root " + f + " is a file, not a directory; give its parent directory", error(f));
    }

    @Test
    void nestedRootsSayGiveOnlyTheOuter() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path ab = Files.createDirectories(tmp.resolve("a/b"));
        String expected = "root " + ab + " lies inside root " + a + "; give only " + a;
        assertEquals(expected, error(a, ab));
        assertEquals(expected, error(ab, a));
    }

    @Test
    void duplicateRootIsRefusedEvenWhenSpelledDifferently() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        assertEquals("root " + a + " is given twice; give it once", error(a, tmp.resolve("a/./x/..")));
    }

    @Test
    void siblingsWithACommonPrefixAreNotNested() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("stack"));
        Path b = Files.createDirectories(tmp.resolve("stack2"));
        assertEquals(List.of(a, b), RootSet.of(List.of(a, b)).paths());
    }

    @Test
    void symlinkedRootKeepsTheGivenPath() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertEquals(List.of(link), RootSet.of(List.of(link)).paths());
    }

    @Test
    void noRootsIsAnError() {
        assertEquals("no roots to serve; give at least one --root DIR", error());
    }
}
