package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch-system snippets of docs/operations.md (docs/batch/), run as a batch system would run
 * them against a real server: the Slurm prolog mounts as the job's user, the job script's
 * {@code stackshare exec} reuses that mount, the epilog unmounts; the HTCondor wrapper mounts
 * and unmounts by itself; the systemd unit passes {@code systemd-analyze verify}.
 */
class BatchScriptsIT {
    private static final Path BATCH = CliIT.LAUNCHER.getParent().getParent().resolve("docs/batch");

    @TempDir
    Path base;
    private Process serve;

    @AfterEach
    void stop() throws InterruptedException {
        if (serve != null) {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Serves a tree, with HELLO_DIR pointing into it in the recorded environment; returns the config file. */
    private Path serveAndConfigure(Path tree) throws IOException, InterruptedException {
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("hello.txt"), "hello from the snapshot\n");
        Path state = base.resolve("state");
        ProcessBuilder pb = new ProcessBuilder(CliIT.LAUNCHER.toString(), "serve", "--root", tree.toString(),
                "--listen", "127.0.0.1:0", "--state-dir", state.toString())
                .redirectOutput(base.resolve("serve.out").toFile()).redirectError(base.resolve("serve.log").toFile());
        pb.environment().put("HELLO_DIR", tree.toString());
        serve = pb.start();
        // Its "serving URL" line, not server.json, which it may write before the line reaches the file.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        java.util.Optional<String> serving = java.util.Optional.empty();
        while (serving.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(100);
            serving = Files.readAllLines(base.resolve("serve.out")).stream().filter(l -> l.startsWith("serving")).findFirst();
        }
        if (serving.isEmpty()) {
            throw new AssertionError("serve printed no URL within 60 s; its log: " + Files.readString(base.resolve("serve.log")));
        }
        String url = serving.get().split("\\s+")[1];
        Path config = base.resolve("config.yaml");
        Files.writeString(config, "server: " + url + "\ntoken-file: " + state.resolve("token") + "\nsnapshot: latest\n");
        return config;
    }

    private Sh.Result script(String name, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", BATCH.resolve(name).toString()));
        cmd.addAll(List.of(args));
        Map<String, String> all = new HashMap<>(env);
        all.put("STACKSHARE", CliIT.LAUNCHER.toString());
        all.put("XDG_CACHE_HOME", base.resolve("cache").toString()); // not the real user's node cache
        return Sh.run(cmd, all, 180);
    }

    @Test
    void slurmPrologMountsTheJobReusesItAndTheEpilogUnmounts() throws Exception {
        assumeTrue("0".equals(Sh.run(List.of("id", "-u")).out().strip()),
                "the prolog and epilog run as root and switch to the job's user; CI runs as root");
        Path tree = base.resolve("tree");
        Path config = serveAndConfigure(tree);
        String job = "it" + ProcessHandle.current().pid();
        Path mnt = Path.of("/tmp/stackshare-" + job);
        Map<String, String> slurm = Map.of("SLURM_JOB_USER", "root", "SLURM_JOB_ID", job,
                "STACKSHARE_CONFIG", config.toString());

        Sh.Result prolog = script("slurm-prolog.sh", slurm);
        assertEquals(0, prolog.exit(), prolog.toString());
        assertTrue(Mounted.isFuse(mnt), "the prolog mounted " + mnt + ": " + prolog);
        try {
            Sh.Result run = script("slurm-job.sh", Map.of("STACKSHARE_CONFIG", config.toString()),
                    "sh", "-c", "echo \"dir=$HELLO_DIR\"; cat \"$HELLO_DIR/hello.txt\"");
            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.out().contains("dir=" + mnt + tree), "exec reused the prolog's mount: " + run);
            assertTrue(run.out().contains("hello from the snapshot"), run.toString());
            assertTrue(Mounted.isFuse(mnt), "the job's exec leaves the prolog's mount alone");
        } finally {
            Sh.Result epilog = script("slurm-epilog.sh", Map.of("SLURM_JOB_USER", "root", "SLURM_JOB_ID", job));
            assertEquals(0, epilog.exit(), epilog.toString());
        }
        assertFalse(Mounted.isFuse(mnt), "the epilog unmounted " + mnt);
        assertFalse(Files.exists(mnt), "and removed the mountpoint");
    }

    @Test
    void aUserWithoutAConfigIsLeftAloneByTheProlog() throws Exception {
        assumeTrue("0".equals(Sh.run(List.of("id", "-u")).out().strip()), "the prolog runs as root");
        String job = "none" + ProcessHandle.current().pid();
        Sh.Result prolog = script("slurm-prolog.sh", Map.of("SLURM_JOB_USER", "root", "SLURM_JOB_ID", job,
                "STACKSHARE_CONFIG", base.resolve("absent.yaml").toString()));
        assertEquals(0, prolog.exit(), prolog.toString());
        assertFalse(Files.exists(Path.of("/tmp/stackshare-" + job)));
    }

    @Test
    void htcondorWrapperRunsTheJobFromItsOwnMount() throws Exception {
        Path tree = base.resolve("tree");
        Path config = serveAndConfigure(tree);
        Sh.Result run = script("htcondor-wrapper.sh", Map.of("STACKSHARE_CONFIG", config.toString()), "sh", "-c", "cat \"$HELLO_DIR/hello.txt\"; echo \"$HELLO_DIR\"");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("hello from the snapshot"), run.toString());
        String mappedDir = run.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertFalse(mappedDir.equals(tree.toString()), "HELLO_DIR was rewritten into a mount: " + mappedDir);
        assertFalse(Mounted.isFuse(Path.of(mappedDir.substring(0, mappedDir.length() - tree.toString().length()))),
                "the wrapper's exec unmounted what it mounted");
    }

    @Test
    void systemdUnitVerifies() throws Exception {
        assumeTrue(Sh.run(List.of("sh", "-c", "command -v systemd-analyze")).exit() == 0, "no systemd-analyze here");
        Path unit = base.resolve("stackshare-mount@nightly.service");
        Files.writeString(unit, Files.readString(BATCH.resolve("stackshare-mount@.service"))
                .replace("/opt/stackshare/bin/stackshare", CliIT.LAUNCHER.toString()));
        Sh.Result verify = Sh.run(List.of("systemd-analyze", "verify", unit.toString()), Map.of(), 60);
        assertEquals(0, verify.exit(), verify.toString());
        assertFalse(verify.err().contains("Unknown"), verify.toString());
    }

    @Test
    void operationsDocQuotesEveryScriptAsItIs() throws IOException {
        String doc = Files.readString(BATCH.getParent().resolve("operations.md"));
        try (var files = Files.list(BATCH)) {
            for (Path file : files.toList()) {
                assertTrue(doc.contains(Files.readString(file)), "docs/operations.md does not quote " + file + " as it is");
            }
        }
    }

    /** The kernel's mount table, read directly. */
    static final class Mounted {
        static boolean isFuse(Path mountpoint) throws IOException {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream().map(l -> l.split(" "))
                    .anyMatch(f -> f[1].equals(mountpoint.toString()) && f[2].startsWith("fuse"));
        }
    }
}
