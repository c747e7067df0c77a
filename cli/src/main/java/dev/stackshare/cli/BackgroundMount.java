package dev.stackshare.cli;

import dev.stackshare.client.CacheDir;
import dev.stackshare.client.MountOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the filesystem in a detached child process and waits until it reports the mount
 * ready or failed. Java cannot fork, so the child is a second JVM running
 * {@code mount --foreground}; it reads the token from a pipe on its standard input, so the
 * token shows neither in its command line nor in its environment ({@code /proc/PID/environ}
 * stays readable to the user's other processes for as long as the mount runs).
 */
final class BackgroundMount {
    private static final long READY_TIMEOUT_SECONDS = 120;
    /** Its own session, so the terminal closing does not take the mount down. */
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path SH = Path.of("/bin/sh");
    /** Where the forked shell sends the filesystem's output: its log. */
    private static final String LOG_ENV = "STACKSHARE_MOUNT_LOG";
    /**
     * The filesystem process's heap is bounded: a 1,000,000-file snapshot's metadata keeps about
     * 120 MB (MillionFileHeapIT), the memory cache 64 MB by default. C2 compiles only really hot
     * methods (SHA-256 and the codecs get their intrinsics within the first megabytes): with the
     * default thresholds it spent 1.5 s of CPU compiling while the job started on a 2-core node,
     * and with C1 alone SHA-256 runs at a tenth of its speed (docs/performance.md).
     */
    static final List<String> CHILD_JVM_FLAGS = List.of("-Xmx256m", "-XX:Tier4InvocationThreshold=50000",
            "-XX:Tier4MinInvocationThreshold=50000", "-XX:Tier4CompileThreshold=60000", "-XX:Tier4BackEdgeThreshold=400000");

    private BackgroundMount() {
    }

    record Result(String snapshotId, long pid, Path log) {
    }

    static Result start(MountOptions options, String memoryCacheMb, String cacheSize, String fetchDeadline) throws IOException, InterruptedException {
        // Checked before anything is created in it; a shared cache keeps this user's logs in their own dir.
        Path log = logFile(options);
        Path logs = log.getParent();
        Path readyFile = Files.createTempFile(logs, "ready-", ".status");
        Files.delete(readyFile);

        List<String> jvm = command(options, memoryCacheMb, cacheSize, fetchDeadline, readyFile);
        boolean fork = Files.isExecutable(SETSID) && Files.isExecutable(SH);
        ProcessBuilder builder;
        if (fork) {
            // The process we start, a shell in a session of its own, reads the token, starts the
            // filesystem's JVM in the background with the token on its standard input, prints its
            // pid and exits. Were the JVM our child, a JDK thread would wait on it in native code for
            // as long as it runs, and this JVM's exit would wait 0.3 s for that thread (HotSpot's
            // exit waits for threads in native code): measured. printf is the shell's builtin, so the
            // token is never a process's argument.
            List<String> cmd = new ArrayList<>(List.of(SETSID.toString(), SH.toString(), "-c",
                    "IFS= read -r token; printf '%s\\n' \"$token\" | \"$@\" > \"$" + LOG_ENV + "\" 2>&1 & echo $!",
                    "stackshare-mount"));
            cmd.addAll(jvm);
            builder = new ProcessBuilder(cmd).redirectErrorStream(true);
            builder.environment().put(LOG_ENV, log.toString());
        } else {
            builder = new ProcessBuilder(jvm).redirectErrorStream(true).redirectOutput(log.toFile());
        }
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().remove(Tokens.ENV);
        Process started = builder.start();
        try (OutputStream stdin = started.getOutputStream()) {
            stdin.write((options.token() + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            started.destroy();
            throw new UserError("cannot hand the token to the mount process: " + e.getMessage() + "; see " + log);
        }
        FilesystemProcess child = fork ? FilesystemProcess.forked(started, log) : FilesystemProcess.direct(started);
        try {
            return awaitReady(child, readyFile, log);
        } finally {
            Files.deleteIfExists(readyFile);
        }
    }

    private static Result awaitReady(FilesystemProcess child, Path readyFile, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            ReadyFile.Status status = ReadyFile.read(readyFile);
            if (status != null && status.ready()) {
                return new Result(status.detail(), child.pid(), log);
            }
            if (status != null) {
                child.awaitExit(5, TimeUnit.SECONDS);
                throw new UserError(status.detail());
            }
            if (child.awaitExit(20, TimeUnit.MILLISECONDS)) {
                ReadyFile.Status last = ReadyFile.read(readyFile);
                if (last != null && !last.ready()) {
                    throw new UserError(last.detail());
                }
                throw new UserError("the mount process " + child.exitDescription() + " before the mount was ready; see " + log);
            }
        }
        child.destroy();
        throw new UserError("the mount was not ready after " + READY_TIMEOUT_SECONDS + " s; see " + log);
    }

    private static List<String> command(MountOptions options, String memoryCacheMb, String cacheSize, String fetchDeadline,
                                        Path readyFile) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(CHILD_JVM_FLAGS);
        // The launcher's flags (and the user's STACKSHARE_JAVA_OPTS) come after ours, so they win.
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        String level = System.getProperty(Main.OUR_LOG_LEVEL);
        if (level != null) {
            cmd.add("-D" + Main.OUR_LOG_LEVEL + "=" + level); // --verbose reaches the filesystem's log
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of("mount", "--foreground", ServerOptions.TOKEN_STDIN,
                "--ready-file", readyFile.toString(),
                "--server", options.servers().stream().map(Object::toString).collect(java.util.stream.Collectors.joining(",")),
                "--snapshot", options.snapshot(),
                "--cache-dir", options.cacheDir().toString(),
                "--memory-cache-mb", memoryCacheMb,
                "--cache-size", cacheSize,
                "--fetch-deadline", fetchDeadline));
        if (options.recordTrace()) {
            cmd.add("--record-trace");
        }
        if (!options.prefetchTrace()) {
            cmd.add("--no-trace-prefetch");
        }
        cmd.add(options.mountpoint().toString());
        return cmd;
    }

    /** Where a mount's process logs: {@code CACHE/logs/mount-MOUNTPOINT.log}, in the user's own part of the cache dir. */
    static Path logFile(MountOptions options) throws IOException {
        return CacheDir.open(options.cacheDir()).logs().resolve("mount-" + sanitize(options.mountpoint()) + ".log");
    }

    private static String sanitize(Path mountpoint) {
        String s = mountpoint.toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return s.length() > 100 ? s.substring(s.length() - 100) : s;
    }
}
