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

/**
 * The developer's view on a node: `serve` started from a shell with eups products and a conda
 * environment set up exports exactly that, and `env`/`exec` recreate it around a job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecIT {
    @TempDir
    static Path base;
    FakeSetup setup;
    Process serve;
    Map<String, String> node;

    @BeforeAll
    void serveTheDevelopersShell() throws Exception {
        setup = new FakeSetup(base.resolve("dev"));
        String url = startServe(setup.env, base.resolve("state"));
        node = Map.of("STACKSHARE_SERVER", url,
                "STACKSHARE_TOKEN", Files.readString(base.resolve("state/token")).strip(),
                "XDG_CACHE_HOME", base.resolve("node-cache").toString());
    }

    private String startServe(Map<String, String> env, Path state) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(CliIT.LAUNCHER.toString(), "serve", "--listen", "127.0.0.1:0",
                "--state-dir", state.toString())
                .redirectError(base.resolve("serve-" + state.getFileName() + ".log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        serve = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        String url = null;
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("serving")) {
                url = line.split("\\s+")[1];
            }
            if (line.startsWith("snapshot")) {
                break;
            }
        }
        assertTrue(url != null, "serve started: " + Files.readString(base.resolve("serve-" + state.getFileName() + ".log")));
        return url;
    }

    @AfterAll
    void stop() throws Exception {
        serve.destroy();
        serve.waitFor(30, TimeUnit.SECONDS);
    }

    private Sh.Result ss(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CliIT.LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        return Sh.run(cmd, node, 180);
    }

    @Test
    void dryRunListsTheSetUpsRootsWithTheirKind() throws Exception {
        Map<String, String> env = new HashMap<>(setup.env);
        Sh.Result r = Sh.run(List.of(CliIT.LAUNCHER.toString(), "serve", "--dry-run"), env, 120);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().matches("(?s).*live\\s+\\d+.*" + setup.clone + "\\s+eups product afw \\(setup -r\\).*"), r.out());
        assertTrue(r.out().matches("(?s).*stable\\s+\\d+.*" + setup.stackProduct + "\\s+eups product numlike 1.2.3.*"), r.out());
        assertTrue(r.out().contains(setup.prefix + " ") && r.out().contains("conda prefix"), r.out());
        assertTrue(r.out().contains("3 roots"), r.out());
    }

    @Test
    void envPrintsTheRecordedEnvironmentMappedIntoTheMountAndNoSecret() throws Exception {
        Sh.Result mapped = ss("env", "--mount", "/mnt/ss");
        assertEquals(0, mapped.exit(), mapped.toString());
        assertTrue(mapped.out().contains("export PYTHONPATH='/mnt/ss" + setup.stackProduct.resolve("python") + ":/mnt/ss"
                + setup.clone.resolve("python") + "'"), mapped.out());
        assertTrue(mapped.out().contains("export SETUP_AFW='afw LOCAL:/mnt/ss" + setup.clone), mapped.out());
        assertFalse(mapped.out().contains("s3cr3t") || mapped.out().contains("MY_API_TOKEN"), "secrets are never recorded");
        assertFalse(mapped.out().contains("export HOME="), "host variables are not applied");
        Sh.Result same = ss("env", "--same-paths");
        assertTrue(same.out().contains("export AFW_DIR='" + setup.clone + "'"), same.out());
    }

    @Test
    void execRunsTheJobWithRewrittenPathsPassesTheExitCodeAndUnmounts() throws Exception {
        Sh.Result r = ss("exec", "--", "python3", "-S", "-c",
                "import os, afw, numlike; m = os.environ['STACKSHARE_MOUNT']\n"
                        + "assert afw.__file__.startswith(m) and numlike.__file__.startswith(m), (afw.__file__, m)\n"
                        + "print('JOB', afw.MARKER, numlike.VALUE)");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("JOB " + FakeSetup.MARKER + " numlike-1.2.3\n", r.out());
        assertEquals(7, ss("exec", "--", "sh", "-c", "exit 7").exit(), "the command's exit code passes through");
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains("stackshare-exec-"),
                "exec unmounts what it mounted");
    }

    @Test
    void execSamePathsRunsACondaScriptWithAnAbsoluteShebangFromTheMount() throws Exception {
        Path tool = setup.prefix.resolve("bin/mytool");
        Sh.Result r = ss("exec", "--same-paths", "--", "sh", "-c", "mytool && stat -f -c %T " + tool);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("mytool " + FakeSetup.MARKER + "\nfuseblk\n", r.out(), "the tool ran from the FUSE mount at its own path");
    }

    @Test
    void execReusesThisUsersMountOfTheSnapshot() throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        Sh.Result m = ss("mount", mnt.toString());
        assertEquals(0, m.exit(), m.toString());
        try {
            Sh.Result r = ss("exec", "--", "sh", "-c", "echo $STACKSHARE_MOUNT");
            assertEquals(mnt + "\n", r.out(), r.toString());
        } finally {
            assertEquals(0, ss("unmount", mnt.toString()).exit());
        }
    }

    @Test
    void execSamePathsShowsARootThatDoesNotExistOnTheNode() throws Exception {
        // A second developer shell whose working tree is gone from "the node" after publishing:
        // its content is frozen in the snapshot, and --same-paths recreates its path privately.
        Path wt = base.resolve("gone/src/pkg");
        Files.createDirectories(wt.resolve("gonepkg"));
        Trees.write(wt.resolve("gonepkg/__init__.py"), "WHERE = 'frozen-and-gone'\n", "rw-r--r--");
        Trees.git(wt, "init", "-q");
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin:/bin", "PYTHONPATH", wt.toString()));
        Process other = serve;
        String url = startServe(env, base.resolve("state-gone"));
        Process goneServer = serve;
        serve = other;
        try {
            Path moved = base.resolve("gone/src/moved-away");
            Files.move(wt, moved);
            Map<String, String> nodeEnv = new HashMap<>(node);
            nodeEnv.put("STACKSHARE_SERVER", url);
            nodeEnv.put("STACKSHARE_TOKEN", Files.readString(base.resolve("state-gone/token")).strip());
            Sh.Result r = Sh.run(List.of(CliIT.LAUNCHER.toString(), "exec", "--same-paths", "--", "python3", "-S", "-c",
                    "import gonepkg; print(gonepkg.WHERE, gonepkg.__file__)"), nodeEnv, 180);
            assertEquals(0, r.exit(), r.toString());
            assertEquals("frozen-and-gone " + wt.resolve("gonepkg/__init__.py") + "\n", r.out());
            assertFalse(Files.exists(wt), "the path was made only inside the job's namespace");
        } finally {
            goneServer.destroy();
            goneServer.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
