package dev.stackshare.bench;

import dev.stackshare.protocol.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fresh node with the trace a first job recorded: once per bench run a node mounts with
 * {@code --record-trace}, runs the job and unmounts, which publishes the trace for the snapshot;
 * each measured run then mounts on another fresh node (empty cache, dropped page cache), whose
 * mount fetches the traced objects in one batch while the job starts. The mount command is
 * reported as set-up, as for stackshare-cold.
 */
final class TraceScenario implements Scenario {
    private static final long EXIT_WAIT_MILLIS = 60_000;
    private boolean recorded;

    @Override
    public String name() {
        return "stackshare-trace";
    }

    @Override
    public boolean networked() {
        return true;
    }

    @Override
    public Measurement run(BenchContext ctx, double rttMillis, int repetition) throws Exception {
        StackshareHost host = ctx.stackshare();
        DelayRelay relay = ctx.relay(host.port(), rttMillis);
        Path mnt = ctx.work.resolve("mnt/stackshare");
        Files.createDirectories(mnt);
        if (!recorded) {
            Path cache = ctx.freshDir("node-cache-");
            long pid = mount(ctx, host, relay, cache, mnt, List.of("--record-trace"));
            try {
                ctx.job(BenchContext.inMount(mnt, ctx.config.stack()), BenchContext.inMount(mnt, ctx.config.worktree()));
            } finally {
                unmount(ctx, mnt, cache);
            }
            awaitExit(pid); // the mount process publishes the trace after the unmount
            recorded = true;
        }
        Path cache = ctx.freshDir("node-cache-");
        Host.dropPageCache();
        DelayRelay.Stats net0 = relay.stats();
        Api.ServerStats srv0 = host.stats();
        long started = System.nanoTime();
        long pid = mount(ctx, host, relay, cache, mnt, List.of());
        double mountSeconds = (System.nanoTime() - started) / 1e9;
        try {
            Proc.Result job = ctx.job(BenchContext.inMount(mnt, ctx.config.stack()), BenchContext.inMount(mnt, ctx.config.worktree()));
            DelayRelay.Stats net1 = relay.stats();
            Api.ServerStats srv1 = host.stats();
            return new Measurement(name(), rttMillis, repetition, job.seconds(), mountSeconds,
                    net1.bytesSince(net0),
                    srv1.requests() - srv0.requests() - 1, srv1.objectsServed() - srv0.objectsServed(),
                    Host.peakRssKb(pid));
        } finally {
            unmount(ctx, mnt, cache);
        }
    }

    private static long mount(BenchContext ctx, StackshareHost host, DelayRelay relay, Path cache, Path mnt,
                              List<String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ctx.config.launcher().toString(), "mount",
                "--server", "http://127.0.0.1:" + relay.port(), "--token-file", host.tokenFile().toString(),
                "--cache-dir", cache.toString()));
        cmd.addAll(extra);
        cmd.add(mnt.toString());
        Proc.Result mount = Proc.run(cmd, Map.of(), 300).requireOk("stackshare mount");
        return Long.parseLong(mount.out().replaceAll("(?s).*\\(process (\\d+),.*", "$1"));
    }

    private static void unmount(BenchContext ctx, Path mnt, Path cache) throws Exception {
        Proc.run(List.of(ctx.config.launcher().toString(), "unmount", mnt.toString()), Map.of(), 120)
                .requireOk("stackshare unmount");
        Proc.run(List.of("rm", "-rf", cache.toString()), Map.of(), 120);
    }

    private static void awaitExit(long pid) throws InterruptedException {
        long deadline = System.currentTimeMillis() + EXIT_WAIT_MILLIS;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.currentTimeMillis() > deadline) {
                throw new BenchException("the recording mount process " + pid + " did not exit within "
                        + EXIT_WAIT_MILLIS / 1000 + " s of its unmount");
            }
            Thread.sleep(20);
        }
    }
}
