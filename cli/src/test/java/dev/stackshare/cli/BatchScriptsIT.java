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
    void slurmPrologMountsTheJobReusesItTheEpilogLetsItLingerAndTheNextJobFindsItWarm() throws Exception {
        assumeTrue("0".equals(Sh.run(List.of("id", "-u")).out().strip()),
                "the prolog and epilog run as root and switch to the job's user; CI runs as root");
        Path tree = base.resolve("tree");
        Path config = serveAndConfigure(tree);
        Path mnt = Path.of("/run/stackshare/root");
        String first = "it" + ProcessHandle.current().pid();
        Map<String, String> slurm = Map.of("SLURM_JOB_USER", "root", "SLURM_JOB_ID", first,
                "STACKSHARE_CONFIG", config.toString());
        try {
            Sh.Result prolog = script("slurm-prolog.sh", slurm);
            assertEquals(0, prolog.exit(), prolog.toString());
            assertTrue(Mounted.isFuse(mnt), "the prolog mounted " + mnt + ": " + prolog);
            long process = mountProcess(mnt);
            Sh.Result run = script("slurm-job.sh", Map.of("STACKSHARE_CONFIG", config.toString()),
                    "sh", "-c", "echo \"dir=$HELLO_DIR\"; cat \"$HELLO_DIR/hello.txt\"");
            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.out().contains("dir=" + mnt + tree), "exec reused the prolog's mount: " + run);
            assertTrue(run.out().contains("hello from the snapshot"), run.toString());

            Sh.Result epilog = script("slurm-epilog.sh", Map.of("SLURM_JOB_USER", "root", "SLURM_JOB_ID", first,
                    "STACKSHARE_CONFIG", config.toString(), "STACKSHARE_LINGER", "10m"));
            assertEquals(0, epilog.exit(), epilog.toString());
            assertTrue(Mounted.isFuse(mnt), "the epilog let the mount linger");

            Sh.Result next = script("slurm-prolog.sh", Map.of("SLURM_JOB_USER", "root", "SLURM_JOB_ID", first + "b",
                    "STACKSHARE_CONFIG", config.toString()));
            assertEquals(0, next.exit(), next.toString());
            assertEquals(process, mountProcess(mnt), "the next job's prolog kept the same mount process");
            assertEquals(0, script("slurm-epilog.sh", Map.of("SLURM_JOB_USER", "root", "SLURM_JOB_ID", first + "b",
                    "STACKSHARE_CONFIG", config.toString(), "STACKSHARE_LINGER", "1s")).exit());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (Mounted.isFuse(mnt) && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertFalse(Mounted.isFuse(mnt), "the mount went once its last job's linger ran out");
        } finally {
            if (Mounted.isFuse(mnt)) {
                Sh.run(List.of(CliIT.LAUNCHER.toString(), "unmount", mnt.toString()), Map.of(), 60);
            }
        }
    }

    /** The pid of the mount process serving {@code mnt}, from its report in the test's cache dir. */
    private long mountProcess(Path mnt) throws IOException {
        for (var report : dev.stackshare.client.MountReports.of(base.resolve("cache/stackshare")).readAll()) {
            if (report.mountpoint().equals(mnt.toString())) {
                return report.pid();
            }
        }
        throw new AssertionError("no mount report for " + mnt);
    }

    @Test
    void aUserWithoutAConfigIsLeftAloneByTheProlog() throws Exception {
        assumeTrue("0".equals(Sh.run(List.of("id", "-u")).out().strip()), "the prolog runs as root");
        String job = "none" + ProcessHandle.current().pid();
        Sh.Result prolog = script("slurm-prolog.sh", Map.of("SLURM_JOB_USER", "root", "SLURM_JOB_ID", job,
                "STACKSHARE_CONFIG", base.resolve("absent.yaml").toString()));
        assertEquals(0, prolog.exit(), prolog.toString());
        assertFalse(Mounted.isFuse(Path.of("/run/stackshare/root")), "nothing mounted for a user without a config");
    }

    @Test
    void htcondorWrapperRunsTheJobFromItsOwnMount() throws Exception {
        Path tree = base.resolve("tree");
        Path config = serveAndConfigure(tree);
        Sh.Result run = script("htcondor-wrapper.sh", Map.of("STACKSHARE_CONFIG", config.toString(),
                "STACKSHARE_MOUNT_DIR", base.resolve("mnt").toString()), "sh", "-c", "cat \"$HELLO_DIR/hello.txt\"; echo \"$HELLO_DIR\"");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("hello from the snapshot"), run.toString());
        String mappedDir = run.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertFalse(mappedDir.equals(tree.toString()), "HELLO_DIR was rewritten into a mount: " + mappedDir);
        Path mnt = Path.of(mappedDir.substring(0, mappedDir.length() - tree.toString().length()));
        assertTrue(Mounted.isFuse(mnt), "the wrapper's mount lingers for the next job");
        assertEquals(0, Sh.run(List.of(CliIT.LAUNCHER.toString(), "unmount", mnt.toString()), Map.of(), 60).exit());
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
