package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code stackshare serve} starts on a stack with entries it must leave out: it publishes
 * once, then walks the roots again (several times, for a small stack) to warm the JIT up. Each
 * entry left out is named once in its log, by the publish, not once more per walk.
 */
class LeftOutWarningsIT {
    private static final String WARMED_UP = "warmed up the publish path";

    @TempDir
    Path base;

    @Test
    void eachEntryLeftOutIsWarnedOnceAtStartUp() throws Exception {
        Path stack = Files.createDirectories(base.resolve("stack")).toRealPath();
        Files.writeString(stack.resolve("kept.py"), "x = 1\n");
        // A name and a symlink target that are not UTF-8: both left out, each with a warning.
        Sh.Result made = Sh.run(List.of("bash", "-c", "cd '" + stack + "' && printf x > $'name\\xff' && ln -s $'target\\xff' link"));
        assertEquals(0, made.exit(), made.toString());
        Path log = base.resolve("serve.log");
        // The warm-up says when it is done only at debug level.
        Map<String, String> debug = Map.of("STACKSHARE_JAVA_OPTS",
                "-Dorg.slf4j.simpleLogger.log.dev.stackshare.server.StackshareServer=debug");
        try (ServeProcess serve = ServeProcess.start(stack, base.resolve("state"), 0, log, debug)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log, StandardCharsets.UTF_8).contains(WARMED_UP) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(text.contains(WARMED_UP), text);
        List<String> warnings = text.lines().filter(l -> l.contains(" out of the snapshot: ")).toList();
        assertEquals(1, warnings.stream().filter(l -> l.contains("left " + stack + "/name")).count(), text);
        assertEquals(1, warnings.stream().filter(l -> l.contains("left " + stack + "/link")).count(), text);
        assertEquals(2, warnings.size(), text);
        System.out.println("LeftOutWarningsIT: 2 entries left out, " + warnings.size()
                + " warnings in serve's start-up log (first publish and warm-up walks)");
    }
}
