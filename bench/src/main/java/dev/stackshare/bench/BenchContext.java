package dev.stackshare.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the scenarios share in one bench run: the config, a scratch dir, the stackshare server,
 * the sshd, and one delay relay per (service, RTT). Everything is started on first use and
 * stopped by {@link #close}.
 */
final class BenchContext implements AutoCloseable {
    final BenchConfig config;
    final Path work;
    private StackshareHost stackshare;
    private SshServer ssh;
    private final Map<String, DelayRelay> relays = new HashMap<>();
    private final List<AutoCloseable> cleanups = new ArrayList<>();

    BenchContext(BenchConfig config, Path work) {
        this.config = config;
        this.work = work;
    }

    StackshareHost stackshare() throws IOException {
        if (stackshare == null) {
            stackshare = StackshareHost.start(config.launcher(), List.of(config.stack(), config.worktree()),
                    work.resolve("stackshare-host/state"));
        }
        return stackshare;
    }

    SshServer ssh() throws IOException, InterruptedException {
        if (ssh == null) {
            ssh = SshServer.start(work.resolve("sshd"));
        }
        return ssh;
    }

    /** A relay in front of a loopback port with the given RTT; reused across repetitions. */
    DelayRelay relay(int targetPort, double rttMillis) throws IOException {
        String key = targetPort + "@" + rttMillis;
        DelayRelay relay = relays.get(key);
        if (relay == null) {
            relay = DelayRelay.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
                    Duration.ofNanos((long) (rttMillis * 1_000_000)), config.bytesPerSecond());
            relays.put(key, relay);
        }
        return relay;
    }

    /** A fresh, empty directory under the scratch dir. */
    Path freshDir(String prefix) throws IOException {
        Files.createDirectories(work);
        return Files.createTempDirectory(work, prefix);
    }

    /**
     * Moves a run's scratch (a node cache, a copy of the stack) out of the way; the suite deletes
     * it with the rest of its scratch at the end. Deleting it here would tax the next run: on
     * ext4 without a journal, creating files is slow for minutes after thousands were deleted
     * (each free inode is checked for a recent deletion), and the next run creates as many.
     */
    void discard(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Path discarded = Files.createDirectories(work.resolve("discarded"));
        Files.move(dir, Files.createTempDirectory(discarded, dir.getFileName().toString() + "-").resolve("dir"));
    }

    void onClose(AutoCloseable cleanup) {
        cleanups.add(cleanup);
    }

    /** Runs the job against the stack and working tree as seen at these paths, and checks it succeeded. */
    Proc.Result job(Path stack, Path worktree) throws IOException, InterruptedException {
        List<String> cmd = config.job().stream()
                .map(a -> a.replace("{stack}", stack.toString()).replace("{worktree}", worktree.toString()))
                .toList();
        Proc.Result r = Proc.run(cmd, Map.of("TMPDIR", work.toString()), 600).requireOk("the job");
        if (config.expectInOutput() != null && !r.out().contains(config.expectInOutput())) {
            throw new BenchException("the job did not print '" + config.expectInOutput() + "': " + Proc.tail(r.out()));
        }
        return r;
    }

    /** Where a path of the developer's host appears inside a stackshare mount. */
    static Path inMount(Path mount, Path original) {
        return mount.resolve(original.toString().substring(1));
    }

    @Override
    public void close() throws IOException {
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            try {
                cleanups.get(i).close();
            } catch (Exception e) {
                System.err.println("bench: cleanup failed: " + e.getMessage());
            }
        }
        for (DelayRelay r : relays.values()) {
            r.close();
        }
        if (ssh != null) {
            ssh.close();
        }
        if (stackshare != null) {
            stackshare.close();
        }
    }
}
