package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token travels from the state dir to every command, and must show up nowhere else: not in
 * a log line (at debug level), an error message, a file the server or client writes, a process's
 * command line, the background mount's environment, nor the environment of exec's job.
 */
class TokenSecrecyIT {
    private static final Pattern MOUNT_PID = Pattern.compile("\\(process (\\d+),");

    @TempDir
    Path base;

    @Test
    void aKnownTokenNeverLeavesTheTokenFileAndTheProcessesThatNeedIt() throws Exception {
        String token = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(32));
        String wrong = HexFormat.of().formatHex(new byte[32]).replace('0', 'e');
        Path stack = base.resolve("stack");
        Trees.stack(stack, 1024 * 1024 + 3);
        Path state = Files.createDirectory(base.resolve("state"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.writeString(Files.createFile(state.resolve("token"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------"))), token + "\n");
        Path logs = Files.createDirectory(base.resolve("logs"));
        Path cacheHome = base.resolve("cache");
        // Debug logging everywhere, and the token in the environment of every command (the worst case).
        Map<String, String> env = Map.of("STACKSHARE_TOKEN", token, "XDG_CACHE_HOME", cacheHome.toString(),
                "STACKSHARE_JAVA_OPTS", "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug");
        List<String> cmdlines = new ArrayList<>();

        ProcessBuilder pb = new ProcessBuilder(CliIT.LAUNCHER.toString(), "serve", "--root", stack.toString(),
                "--listen", "127.0.0.1:0", "--state-dir", state.toString())
                .redirectError(logs.resolve("serve.err").toFile());
        pb.environment().putAll(env);
        Process serve = pb.start();
        try {
            String url = awaitUrl(serve, logs.resolve("serve.err"));
            record Step(String name, Sh.Result result) {
            }
            List<Step> steps = new ArrayList<>();
            steps.add(new Step("publish", CliIT.ss(env, "publish", "--state-dir", state.toString())));
            steps.add(new Step("snapshots", CliIT.ss(env, "snapshots", "--state-dir", state.toString())));
            Path mnt = Files.createDirectory(base.resolve("mnt"));
            Sh.Result mount = CliIT.ss(env, "mount", "--server", url, mnt.toString());
            steps.add(new Step("mount", mount));
            assertEquals(0, mount.exit(), mount.toString());
            try {
                Matcher pid = MOUNT_PID.matcher(mount.out());
                assertTrue(pid.find(), mount.out());
                Path environ = Path.of("/proc", pid.group(1), "environ");
                String mountEnv = new String(Files.readAllBytes(environ), StandardCharsets.ISO_8859_1);
                assertTrue(mountEnv.contains("XDG_CACHE_HOME="), "read the mount process's environment: " + environ);
                assertFalse(mountEnv.contains(token), "the background mount process's environment holds no token");
                assertTrue(Files.readString(mnt.resolve(stack.toString().substring(1)).resolve("bin/tool"))
                        .contains("tool-ran"), "the mount works with the token it was handed");
                cmdlines.addAll(stackshareCommandLines());

                // exec: the job dumps its own environment and every process's command line, while exec runs.
                Path jobEnv = base.resolve("job-environ");
                Path jobSeen = base.resolve("job-cmdlines");
                Sh.Result exec = CliIT.ss(env, "exec", "--server", url, "--", "sh", "-c",
                        "cat /proc/self/environ > " + jobEnv + "; for f in /proc/[0-9]*/cmdline; do cat $f; echo; done > "
                                + jobSeen);
                steps.add(new Step("exec", exec));
                assertEquals(0, exec.exit(), exec.toString());
                String jobEnvText = Files.readString(jobEnv, StandardCharsets.ISO_8859_1);
                assertTrue(jobEnvText.contains("STACKSHARE_MOUNT="), jobEnvText);
                assertFalse(jobEnvText.contains(token), "exec's job does not inherit the token");
                String seen = Files.readString(jobSeen, StandardCharsets.ISO_8859_1);
                assertTrue(seen.contains("stackshare.jar\0exec"), "the job saw exec's own command line");
                cmdlines.add(seen);

                Map<String, String> badEnv = new HashMap<>(env);
                badEnv.put("STACKSHARE_TOKEN", wrong);
                Sh.Result refused = CliIT.ss(badEnv, "env", "--server", url, "--same-paths");
                assertTrue(refused.err().contains("refused the token"), refused.toString());
                steps.add(new Step("env with a wrong token", refused));
                steps.add(new Step("env", CliIT.ss(env, "env", "--server", url, "--same-paths")));
            } finally {
                Sh.Result unmount = CliIT.ss(env, "unmount", mnt.toString());
                steps.add(new Step("unmount", unmount));
                assertEquals(0, unmount.exit(), unmount.toString());
            }
            for (Step s : steps) {
                for (String secret : List.of(token, wrong)) {
                    assertFalse(s.result().out().contains(secret) || s.result().err().contains(secret),
                            "the output of " + s.name() + " holds a token:\n" + s.result());
                }
            }
            for (String line : cmdlines) {
                assertFalse(line.contains(token), "a command line holds the token: " + line.replace('\0', ' '));
            }
            assertTrue(cmdlines.stream().anyMatch(l -> l.contains("mount\0--ready-fd")), "the mount process was seen: " + cmdlines);
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
        // Every file written: logs, the state dir but its token file, the node's cache (mount logs, snapshots).
        int files = 0;
        for (Path dir : List.of(logs, state, cacheHome)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path f : all.filter(Files::isRegularFile).toList()) {
                    if (f.equals(state.resolve("token"))) {
                        continue;
                    }
                    String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertFalse(text.contains(token) || text.contains(wrong), "file " + f + " holds a token");
                    files++;
                }
            }
        }
        assertTrue(Files.readString(logs.resolve("serve.err")).contains("DEBUG"), "the server logged at debug level");
        assertTrue(files > 20, "searched " + files + " files");
    }

    private static String awaitUrl(Process serve, Path err) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("serving")) {
                return line.split("\\s+")[1];
            }
        }
        throw new AssertionError("serve printed no URL: " + Files.readString(err));
    }

    /** The command lines (NUL-separated) of every process running stackshare now. */
    private static List<String> stackshareCommandLines() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String line = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.ISO_8859_1);
                    if (line.contains("stackshare")) {
                        found.add(line);
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return found;
    }
}
