package dev.stackshare.bench;

import dev.stackshare.protocol.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A fresh node with the trace a first job recorded: once per snapshot (again after
 * publish-after-edit moved `latest`) a node mounts with {@code --record-trace}, runs the job
 * and unmounts, which publishes the trace for the snapshot;
 * each measured run then mounts on another fresh node (empty cache, dropped page cache), whose
 * mount fetches the traced objects in one batch while the job starts. The mount command is
 * reported as set-up, as for stackshare-cold.
 */
final class TraceScenario implements Scenario {
    private static final long EXIT_WAIT_MILLIS = 60_000;
    /** The server's publish count when the trace was recorded; -1 before the first recording. */
    private int recordedAt = -1;

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
        if (recordedAt != host.publishes()) {
            Path cache = ctx.freshDir("node-cache-");
            long pid = StackshareMount.mount(ctx, host, relay, cache, mnt, List.of("--record-trace")).pid();
            try {
                ctx.job(BenchContext.inMount(mnt, ctx.config.stack()), BenchContext.inMount(mnt, ctx.config.worktree()));
            } finally {
                StackshareMount.unmount(ctx, mnt, cache);
            }
            awaitExit(pid); // the mount process publishes the trace after the unmount
            recordedAt = host.publishes();
        }
        Path cache = ctx.freshDir("node-cache-");
        Host.dropPageCache();
        DelayRelay.Stats net0 = relay.stats();
        Api.ServerStats srv0 = host.stats();
        StackshareMount.Mounted mount = StackshareMount.mount(ctx, host, relay, cache, mnt, List.of());
        try {
            Host.CpuUse cpu0 = Host.CpuUse.of(mount.pid(), host.pid());
            Proc.Result job = ctx.job(BenchContext.inMount(mnt, ctx.config.stack()), BenchContext.inMount(mnt, ctx.config.worktree()));
            Host.CpuUse cpu = Host.CpuUse.of(mount.pid(), host.pid()).since(cpu0);
            DelayRelay.Stats net1 = relay.stats();
            Api.ServerStats srv1 = host.stats();
            return new Measurement(name(), rttMillis, repetition, job.seconds(), mount.seconds(),
                    net1.bytesSince(net0),
                    srv1.requests() - srv0.requests() - 1, srv1.objectsServed() - srv0.objectsServed(),
                    Host.peakRssKb(mount.pid()), cpu.mount(), cpu.server());
        } finally {
            StackshareMount.unmount(ctx, mnt, cache);
        }
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
