package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExcludesTest {
    @Test
    void aGlobWithoutSlashMatchesNamesAnywhere() throws Exception {
        Excludes ex = Excludes.of(List.of("__pycache__", "*.o"));
        assertTrue(ex.matches(Path.of("/home/a/stack/pkg/__pycache__")));
        assertTrue(ex.matches(Path.of("/home/a/stack/build/x.o")));
        assertFalse(ex.matches(Path.of("/home/a/stack/pkg/x.py")));
    }

    @Test
    void aGlobWithSlashMatchesAbsolutePaths() throws Exception {
        Excludes ex = Excludes.of(List.of("/home/a/stack/tests/**"));
        assertTrue(ex.matches(Path.of("/home/a/stack/tests/data/big.fits")));
        assertFalse(ex.matches(Path.of("/home/a/stack/python/tests")));
    }

    @Test
    void badGlobsAreRefusedWithTheGlobInTheMessage() {
        ServerException e = assertThrows(ServerException.class, () -> Excludes.of(List.of("[unclosed")));
        assertTrue(e.getMessage().contains("[unclosed"), e.getMessage());
        assertThrows(ServerException.class, () -> Excludes.of(List.of(" ")));
    }
}
