package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VersionProviderTest {
    @Test
    void versionNamesTheCommitThisWasBuiltFromAndTheJavaRuntime() throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD").start();
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, git.waitFor(), "the tests run in a git clone");
        String[] lines = new VersionProvider().getVersion();
        assertTrue(lines[0].startsWith("stackshare ") && lines[0].contains("commit " + head), lines[0]);
        assertTrue(lines[1].contains(Runtime.version().toString()) && lines[1].contains(System.getProperty("java.home")),
                lines[1]);
    }
}
