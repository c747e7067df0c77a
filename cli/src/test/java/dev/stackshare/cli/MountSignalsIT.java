package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the mount process (a batch system ending a job, `kill PID`) unmounts cleanly: the
 * mountpoint leaves /proc/mounts, the process exits with 143 (128 + SIGTERM, the JVM's code for
 * a run ended by the signal), and the cache holds whole objects only, also when the signal comes
 * while a reader holds a file open and reads. SIGKILL, which leaves a stale mount for the next
 * mount to clean, is CliIT's aStaleMountLeftByAKilledClientIsCleanedUpByTheNextMount.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MountSignalsIT {
    /** What a JVM ended by SIGTERM exits with, after its shutdown hooks (ours unmounts). */
    static final int EXIT_ON_SIGTERM = 143;

    @TempDir
    static Path base;
    Path stack;
    StackshareServer server;

    @BeforeAll
    void startServer() throws Exception {
        stack = base.resolve("stack");
        FaultTree.build(stack, 23, 3, 6, 2_700_000);
        server = StackshareServer.start(new ServerConfig(List.of(stack), new InetSocketAddress("127.0.0.1", 0),
                base.resolve("state"), Api.DEFAULT_VIEW));
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** `stackshare mount --foreground`, this test's child, returned once it says the mount is ready. */
    private Process mountInForeground(Path mnt, Path cache) throws IOException {
        Process p = new ProcessBuilder(CliIT.LAUNCHER.toString(), "mount", "--foreground", "--server",
                server.url().toString(), "--token-file", server.tokenFile().toString(), "--cache-dir", cache.toString(),
                "--no-trace-prefetch", mnt.toString())
                .redirectError(base.resolve("mount-" + mnt.getFileName() + ".log").toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("mounted "), "the mount is ready: " + line + "; log: "
                + Files.readString(base.resolve("mount-" + mnt.getFileName() + ".log")));
        return p;
    }

    private static boolean mounted(Path dir) throws IOException {
        return Files.readString(Path.of("/proc/self/mounts")).contains(" " + dir + " ");
    }

    private void terminateAndCheck(Process p, Path mnt, Path cache) throws Exception {
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the mount process exits on SIGTERM");
        assertEquals(EXIT_ON_SIGTERM, p.exitValue(), "exit code; log: " + Files.readString(
                base.resolve("mount-" + mnt.getFileName() + ".log")));
        assertFalse(mounted(mnt), "the mountpoint left /proc/mounts");
        try (var entries = Files.list(mnt)) {
            assertEquals(0, entries.count(), "the mountpoint is an empty directory again");
        }
        assertEquals(List.of(), FaultTree.partialOrWrong(cache), "the cache holds whole objects only");
    }

    @Test
    void sigtermUnmountsAnIdleMountCleanly() throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        Path cache = Files.createTempDirectory(base, "cache");
        Process p = mountInForeground(mnt, cache);
        Path copy = mnt.resolve(stack.toString().substring(1));
        assertEquals(List.of(), FaultTree.compare(stack, copy, 2).wrong());
        terminateAndCheck(p, mnt, cache);
        System.out.println("MountSignalsIT: SIGTERM to an idle mount: unmounted, exit " + EXIT_ON_SIGTERM + ", cache whole");
    }

    @Test
    void sigtermWhileAReaderHoldsAFileOpenStillUnmounts() throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        Path cache = Files.createTempDirectory(base, "cache");
        Process p = mountInForeground(mnt, cache);
        Path big = mnt.resolve(stack.toString().substring(1)).resolve("data/big0.bin");
        // A reader with the file open, mid-way: the unmount is busy and detaches lazily.
        InputStream reader = Files.newInputStream(big);
        byte[] head = reader.readNBytes(600_000);
        assertEquals(600_000, head.length);
        try {
            terminateAndCheck(p, mnt, cache);
        } finally {
            try {
                reader.close();
            } catch (IOException expected) {
                // the filesystem under it is gone
            }
        }
        System.out.println("MountSignalsIT: SIGTERM with a file open mid-read: detached, exit " + EXIT_ON_SIGTERM
                + ", cache whole");
    }
}
