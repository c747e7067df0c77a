package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mount that outlives its job, as a batch prologue and epilog use it: `mount` again on a live
 * mount of the same snapshot keeps it (same process), `unmount --linger` lets it go only after
 * the time passes with no new mount, and a lingering mount of another snapshot gives way to the
 * new one. Real launcher, real server, real mounts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LingerIT {
    private static final Pattern PROCESS = Pattern.compile("\\(process (\\d+),");

    @TempDir
    static Path base;
    Path stack;
    StackshareServer server;

    @BeforeAll
    void startServer() throws Exception {
        stack = base.resolve("stack");
        Files.createDirectories(stack.resolve("lib"));
        Files.writeString(stack.resolve("lib/mod.py"), "print('one')\n");
        server = StackshareServer.start(new ServerConfig(List.of(stack), new InetSocketAddress("127.0.0.1", 0),
                base.resolve("state"), Api.DEFAULT_VIEW));
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private Sh.Result mount(Path mnt, Path cache, String snapshot) throws Exception {
        return CliIT.ss("mount", "--server", server.url().toString(), "--token-file", server.tokenFile().toString(),
                "--cache-dir", cache.toString(), "--snapshot", snapshot, "--no-trace-prefetch", mnt.toString());
    }

    private static boolean mounted(Path dir) throws IOException {
        return Files.readString(Path.of("/proc/self/mounts")).contains(" " + dir + " ");
    }

    private static long pid(Sh.Result r) {
        Matcher m = PROCESS.matcher(r.out());
        assertTrue(m.find(), r.out());
        return Long.parseLong(m.group(1));
    }

    /** Whether the mount leaves /proc/mounts within 10 s. */
    private static boolean gone(Path mnt) throws InterruptedException {
        return waitUntil(() -> {
            try {
                return !mounted(mnt);
            } catch (IOException e) {
                return false;
            }
        }, 10_000);
    }

    private static boolean waitUntil(java.util.function.BooleanSupplier done, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return done.getAsBoolean();
    }

    @Test
    void aMountAgainKeepsTheLingeringMountAndItGoesOnlyWhenItsTimePasses() throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        Path cache = Files.createTempDirectory(base, "cache");
        String id = server.firstSnapshot().id();
        Sh.Result first = mount(mnt, cache, id);
        assertEquals(0, first.exit(), first.err());
        long process = pid(first);
        Path file = mnt.resolve(stack.toString().substring(1)).resolve("lib/mod.py");
        assertEquals("print('one')\n", Files.readString(file));

        Sh.Result letGo = CliIT.ss("unmount", "--linger", "2s", "--cache-dir", cache.toString(), mnt.toString());
        assertEquals(0, letGo.exit(), letGo.err());
        assertTrue(letGo.out().startsWith("lingering " + id), letGo.out());
        assertTrue(mounted(mnt), "a lingering mount stays");

        Path log;
        try (var logs = Files.walk(cache)) {
            log = logs.filter(p -> p.getFileName().toString().startsWith("mount-")).findFirst().orElseThrow();
        }
        String logBefore = Files.readString(log);
        assertTrue(logBefore.contains("mount ready"), logBefore);
        Sh.Result again = mount(mnt, cache, id);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("kept for this job"), again.out());
        assertTrue(Files.readString(log).startsWith(logBefore), "the kept mount's log is left as it was");
        Thread.sleep(3000);
        assertTrue(mounted(mnt), "the new mount cancelled the linger: still mounted past the 2 s");
        assertTrue(ProcessHandle.of(process).map(ProcessHandle::isAlive).orElse(false), "the same process serves");
        assertEquals("print('one')\n", Files.readString(file));

        long lingerStarted = System.nanoTime();
        assertEquals(0, CliIT.ss("unmount", "--linger", "1s", "--cache-dir", cache.toString(), mnt.toString()).exit());
        assertTrue(gone(mnt), "unmounted once the linger ran out");
        double seconds = (System.nanoTime() - lingerStarted) / 1e9;
        assertTrue(seconds >= 1.0, "not before its time: " + seconds);
        Optional<ProcessHandle> handle = ProcessHandle.of(process);
        assertTrue(waitUntil(() -> handle.map(h -> !h.isAlive()).orElse(true), 15_000), "the mount process exited");
        System.out.printf("LingerIT: a mount kept for a second job by the same process %d; unmounted %.1f s after a 1 s "
                + "linger%n", process, seconds);
    }

    @Test
    void aLingeringMountOfAnotherSnapshotGivesWayAndOneInUseIsRefused() throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        Path cache = Files.createTempDirectory(base, "cache");
        String old = server.firstSnapshot().id();
        assertEquals(0, mount(mnt, cache, old).exit());
        Files.writeString(stack.resolve("lib/mod.py"), "print('two')\n");
        String newer = server.publish(Api.DEFAULT_VIEW).id();

        Sh.Result inUse = mount(mnt, cache, newer);
        assertEquals(1, inUse.exit(), "a live mount in use is not replaced: " + inUse.out());
        assertTrue(inUse.err().contains("already mounted"), inUse.err());

        assertEquals(0, CliIT.ss("unmount", "--linger", "10m", "--cache-dir", cache.toString(), mnt.toString()).exit());
        Sh.Result replaced = mount(mnt, cache, newer);
        assertEquals(0, replaced.exit(), replaced.err());
        assertTrue(replaced.out().startsWith("mounted " + newer), replaced.out());
        assertEquals("print('two')\n", Files.readString(mnt.resolve(stack.toString().substring(1)).resolve("lib/mod.py")));
        assertEquals(0, CliIT.ss("unmount", mnt.toString()).exit());
        assertFalse(mounted(mnt));
    }

    @Test
    void twoJobsOnOneMountItLingersOnlyAfterTheLastLetsGo() throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        Path cache = Files.createTempDirectory(base, "cache");
        String id = server.firstSnapshot().id();
        assertEquals(0, mount(mnt, cache, id).exit());
        Sh.Result second = mount(mnt, cache, id);
        assertTrue(second.out().contains("kept for this job"), second.out());
        Sh.Result firstDone = CliIT.ss("unmount", "--linger", "1s", "--cache-dir", cache.toString(), mnt.toString());
        assertTrue(firstDone.out().startsWith("kept " + id) && firstDone.out().contains("1 more job"), firstDone.out());
        Thread.sleep(2500);
        assertTrue(mounted(mnt), "the second job still uses it");
        Sh.Result secondDone = CliIT.ss("unmount", "--linger", "1s", "--cache-dir", cache.toString(), mnt.toString());
        assertTrue(secondDone.out().startsWith("lingering " + id), secondDone.out());
        assertTrue(gone(mnt), "gone once the last job let it go and the linger passed");
    }

    @Test
    void lingeringNeedsALiveMount() throws Exception {
        Path empty = Files.createTempDirectory(base, "mnt");
        Sh.Result r = CliIT.ss("unmount", "--linger", "5m", empty.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no live stackshare mount"), r.err());
        Sh.Result bad = CliIT.ss("unmount", "--linger", "soon", empty.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--linger wants a number"), bad.err());
    }
}
