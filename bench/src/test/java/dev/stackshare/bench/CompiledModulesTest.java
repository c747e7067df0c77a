package dev.stackshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompiledModulesTest {
    @TempDir
    Path stack;

    /** A source and its compiled file whose header records {@code seconds} and the source's size. */
    private Path module(String pkg, String name, long seconds, int flags) throws IOException {
        Path dir = Files.createDirectories(stack.resolve(pkg));
        Path source = Files.writeString(dir.resolve(name + ".py"), "x = '" + name + "'\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(source, FileTime.fromMillis(seconds * 1000 + 250));
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0x0a0d0da7).putInt(flags).putInt((int) seconds).putInt((int) Files.size(source));
        Path pyc = Files.createDirectories(dir.resolve("__pycache__")).resolve(name + ".cpython-311.pyc");
        Files.write(pyc, header.array());
        return pyc;
    }

    @Test
    void aCompiledModuleMatchesTheSourceTimeAndSizeItRecorded() throws IOException {
        assertTrue(CompiledModules.matchesSource(module("pkg", "a", 1_675_617_227L, 0)));
    }

    @Test
    void aSourceCopiedWithANewTimeMakesItsCompiledModuleStale() throws IOException {
        Path pyc = module("pkg", "a", 1_675_617_227L, 0);
        Files.setLastModifiedTime(stack.resolve("pkg/a.py"), FileTime.fromMillis(1_795_630_723_000L));
        assertFalse(CompiledModules.matchesSource(pyc));
    }

    @Test
    void hashCheckedModulesAndModulesWithoutSourceAreNotCounted() throws IOException {
        assertNull(CompiledModules.matchesSource(module("pkg", "h", 1_675_617_227L, 1)), "PEP 552: checked by hash");
        Path orphan = module("pkg", "gone", 1_675_617_227L, 0);
        Files.delete(stack.resolve("pkg/gone.py"));
        assertNull(CompiledModules.matchesSource(orphan));
    }

    @Test
    void theCheckCountsStaleModulesAcrossTheStack() throws IOException {
        module("a", "one", 1_675_617_227L, 0);
        module("b", "two", 1_675_617_227L, 0);
        module("b", "three", 1_675_617_227L, 0);
        Files.setLastModifiedTime(stack.resolve("b/two.py"), FileTime.fromMillis(1_795_630_723_000L));
        CompiledModules.Freshness freshness = CompiledModules.check(stack);
        assertEquals(new CompiledModules.Freshness(3, 1), freshness);
        assertEquals("1 of 3 compiled Python modules checked are stale (their sources are compiled on every run)",
                freshness.describe());
        assertEquals("no compiled Python modules found", new CompiledModules.Freshness(0, 0).describe());
    }
}
