package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Snapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The `stackshare` launcher as a user runs it: separate processes, real output, real exit codes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIT {
    static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("bin/stackshare");

    @TempDir
    static Path base;
    Path stack;
    Path worktree;
    Path state;
    Process serve;
    String url;
    String firstId;

    @BeforeAll
    void startServe() throws Exception {
        stack = base.resolve("stack");
        worktree = base.resolve("wt");
        state = base.resolve("state");
        Trees.stack(stack, 3L * 1024 * 1024 + 5);
        Trees.worktree(worktree);
        serve = new ProcessBuilder(LAUNCHER.toString(), "serve", "--root", stack.toString(), "--root", worktree.toString(),
                "--listen", "127.0.0.1:0", "--state-dir", state.toString())
                .redirectError(base.resolve("serve.log").toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> printed = new HashMap<>();
        for (String line; (line = out.readLine()) != null && !printed.containsKey("snapshot"); ) {
            String[] parts = line.split("\\s+", 2);
            printed.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        assertTrue(printed.containsKey("snapshot"), "serve printed " + printed + "; log: "
                + Files.readString(base.resolve("serve.log")));
        url = printed.get("serving");
        firstId = printed.get("snapshot");
        assertTrue(url.matches("http://127\\.0\\.0\\.1:[1-9][0-9]*"), "serve prints the chosen port: " + url);
        assertEquals("file " + state.resolve("token"), printed.get("token"), "serve prints the token file");
        assertTrue(Snapshot.isId(firstId));
    }

    @AfterAll
    void stopServe() throws Exception {
        if (serve != null) {
            serve.destroy();
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve stops on SIGTERM");
        }
    }

    static Sh.Result ss(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        return Sh.run(cmd, env, 180);
    }

    static Sh.Result ss(String... args) throws IOException, InterruptedException {
        return ss(Map.of(), args);
    }

    /** A failure is one line that starts with "stackshare:", says what is wrong, and exits non-zero. */
    static void assertOneLineError(Sh.Result r, String expected) {
        assertNotEquals(0, r.exit(), r.toString());
        String[] lines = r.err().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("stackshare: ") && last.contains(expected), "expected '" + expected + "' in:\n" + r);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace for bad input:\n" + r);
    }

    private Path newDir(String prefix) throws IOException {
        return Files.createTempDirectory(base, prefix);
    }

    private static boolean mounted(Path dir) throws IOException {
        return Files.readString(Path.of("/proc/self/mounts")).contains(" " + dir + " ");
    }

    @Test
    void helpExplainsEveryCommand() throws Exception {
        Sh.Result top = ss("--help");
        assertEquals(0, top.exit(), top.toString());
        for (String sub : List.of("serve", "publish", "mount", "unmount", "snapshots", "gc", "env", "exec", "bench")) {
            assertTrue(top.out().contains(sub), sub + " is listed:\n" + top.out());
            Sh.Result help = ss(sub, "--help");
            assertEquals(0, help.exit(), help.toString());
            assertTrue(help.out().contains("Usage: stackshare " + sub), help.out());
        }
        assertTrue(ss("mount", "--help").out().contains("STACKSHARE_SERVER"));
        assertTrue(ss("mount", "--help").out().contains("--fetch-deadline"));
        assertTrue(ss("exec", "--help").out().contains("--fetch-deadline"));
    }

    @Test
    void publishPrintsTheNewIdLastAndAnExportLine() throws Exception {
        Sh.Result r = ss("publish", "--state-dir", state.toString());
        assertEquals(0, r.exit(), r.toString());
        String id = r.lastLine();
        assertTrue(Snapshot.isId(id), r.out());
        assertNotEquals(firstId, id);
        assertTrue(r.out().contains("export STACKSHARE_SERVER=" + url + " STACKSHARE_SNAPSHOT=" + id), r.out());
    }

    @Test
    void snapshotsListsAndGcDryRunNamesWhatWouldGo() throws Exception {
        String second = ss("publish", "--state-dir", state.toString()).lastLine();
        Sh.Result list = ss("snapshots", "--state-dir", state.toString());
        assertEquals(0, list.exit(), list.toString());
        assertTrue(list.out().contains(firstId) && list.out().contains(second), list.out());
        Sh.Result dry = ss("gc", "--keep", "1", "--dry-run", "--state-dir", state.toString());
        assertEquals(0, dry.exit(), dry.toString());
        assertTrue(dry.out().startsWith("would remove") && dry.out().contains(firstId), dry.out());
        assertTrue(ss("snapshots", "--state-dir", state.toString()).out().contains(firstId), "a dry run removes nothing");
        assertOneLineError(ss("gc", "--older-than", "soon", "--state-dir", state.toString()), "--older-than");
    }

    @Test
    void mountReturnsWhenReadyKeepsServingAndUnmountLeavesNothingBehind() throws Exception {
        Path mnt = newDir("mnt");
        Path cache = newDir("cache");
        Sh.Result m = ss("mount", "--server", url, "--token-file", state.resolve("token").toString(),
                "--snapshot", firstId, "--cache-dir", cache.toString(), mnt.toString());
        assertEquals(0, m.exit(), m.toString());
        try {
            assertTrue(mounted(mnt));
            Path tool = mnt.resolve(stack.toString().substring(1)).resolve("bin/tool");
            assertEquals("#!/bin/sh\necho tool-ran\n", Files.readString(tool));
            assertTrue(Files.readString(mnt.resolve(worktree.toString().substring(1)).resolve("mypkg/core.py"))
                    .contains(Trees.MARKER));
        } finally {
            Sh.Result u = ss("unmount", mnt.toString());
            assertEquals(0, u.exit(), u.toString());
        }
        assertFalse(mounted(mnt));
        try (var entries = Files.list(mnt)) {
            assertEquals(0, entries.count(), "the mountpoint is an empty directory again");
        }
    }

    @Test
    void environmentVariablesAndLatestAreDefaults() throws Exception {
        Path mnt = newDir("mnt");
        String token = Files.readString(state.resolve("token")).strip();
        Sh.Result m = ss(Map.of("STACKSHARE_SERVER", url, "STACKSHARE_TOKEN", token),
                "mount", "--cache-dir", newDir("cache").toString(), mnt.toString());
        assertEquals(0, m.exit(), m.toString());
        try {
            assertTrue(Files.isDirectory(mnt.resolve(stack.toString().substring(1))));
        } finally {
            assertEquals(0, ss("unmount", mnt.toString()).exit());
        }
    }

    @Test
    void aStaleMountLeftByAKilledClientIsCleanedUpByTheNextMount() throws Exception {
        Path mnt = newDir("mnt");
        Path cache = newDir("cache");
        String[] mountArgs = {"mount", "--server", url, "--token-file", state.resolve("token").toString(),
            "--cache-dir", cache.toString(), mnt.toString()};
        Sh.Result first = ss(mountArgs);
        assertEquals(0, first.exit(), first.toString());
        long pid = Long.parseLong(first.out().replaceAll("(?s).*\\(process (\\d+),.*", "$1"));
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        assertTrue(mounted(mnt), "SIGKILL leaves the mount behind");
        Sh.Result ls = Sh.run(List.of("ls", mnt.toString()));
        assertTrue(ls.err().contains("Transport endpoint is not connected"), ls.toString());

        Sh.Result again = ss(mountArgs);
        assertEquals(0, again.exit(), again.toString());
        assertTrue(Files.isDirectory(mnt.resolve(stack.toString().substring(1))));
        assertEquals(0, ss("unmount", mnt.toString()).exit());
        assertFalse(mounted(mnt));
    }

    @Test
    void badInputGetsOneLineThatSaysWhatToDo() throws Exception {
        Path file = base.resolve("a-file");
        Files.writeString(file, "x");
        String tokenFile = state.resolve("token").toString();
        Path mnt = newDir("mnt");
        Path cache = newDir("cache");

        assertOneLineError(ss("serve", "--root", base.resolve("missing").toString(), "--state-dir", newDir("st").toString()),
                "does not exist");
        assertOneLineError(ss("serve", "--root", file.toString(), "--state-dir", newDir("st").toString()), "not a directory");
        assertOneLineError(ss("serve", "--root", stack.toString(), "--listen", "nonsense"), "HOST:PORT");
        assertOneLineError(ss("publish", "--state-dir", newDir("st").toString()), "no server is running");
        assertOneLineError(ss("mount", "--server", "http://127.0.0.1:1", "--token-file", tokenFile,
                "--cache-dir", cache.toString(), mnt.toString()), "cannot reach");
        Path wrong = base.resolve("wrong-token");
        Files.writeString(wrong, "0".repeat(64));
        assertOneLineError(ss("mount", "--server", url, "--token-file", wrong.toString(), "--cache-dir", cache.toString(),
                mnt.toString()), "refused the token");
        assertOneLineError(ss("mount", "--server", url, "--token-file", tokenFile, "--snapshot", "0123456789abcdef",
                "--cache-dir", cache.toString(), mnt.toString()), "unknown snapshot");
        assertOneLineError(ss("mount", "--server", url, "--token-file", tokenFile, "--cache-dir", cache.toString(),
                base.resolve("no-such-dir").toString()), "does not exist");
        assertOneLineError(ss(Map.of("STACKSHARE_SERVER", ""), "mount", mnt.toString()), "--server");
        assertOneLineError(ss("mount", "--server", url, "--token-file", tokenFile, "--cache-dir", cache.toString(),
                "--fetch-deadline", "soon", mnt.toString()), "--fetch-deadline wants");
        assertFalse(mounted(mnt), "a failed mount leaves nothing mounted");

        assertEquals(0, ss("mount", "--server", url, "--token-file", tokenFile, "--cache-dir", cache.toString(),
                mnt.toString()).exit());
        try {
            Sh.Result again = ss("mount", "--server", url, "--token-file", tokenFile, "--cache-dir", cache.toString(),
                    mnt.toString());
            assertEquals(0, again.exit(), "the same snapshot again: the mount there is kept: " + again);
            assertTrue(again.out().contains("kept for this job"), again.toString());
            assertOneLineError(ss("mount", "--server", url, "--token-file", tokenFile, "--cache-dir", cache.toString(),
                    base.toString()), "is not empty");
        } finally {
            assertEquals(0, ss("unmount", mnt.toString()).exit());
        }
        assertOneLineError(ss("unmount", mnt.toString()), "not mounted");
    }
}
