package dev.stackshare.bench;

import dev.stackshare.protocol.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The job from a stackshare mount over the emulated network. Cold: a fresh mount with an empty
 * node cache and a dropped page cache, as on a node that never ran the job. Warm: a second job
 * on that mount. The measured time is the job's; the mount command is reported as set-up.
 */
final class StackshareScenario implements Scenario {
    private final boolean cold;

    StackshareScenario(boolean cold) {
        this.cold = cold;
    }

    @Override
    public String name() {
        return cold ? "stackshare-cold" : "stackshare-warm";
    }

    @Override
    public boolean networked() {
        return true;
    }

    @Override
    public Measurement run(BenchContext ctx, double rttMillis, int repetition) throws Exception {
        StackshareHost host = ctx.stackshare();
        DelayRelay relay = ctx.relay(host.port(), rttMillis);
        // The same mountpoint every time, so the job's own caches (matplotlib's) key the same.
        Path mnt = ctx.work.resolve("mnt/stackshare");
        Files.createDirectories(mnt);
        Path cache = ctx.freshDir("node-cache-");
        Host.dropPageCache();
        DelayRelay.Stats net0 = relay.stats();
        Api.ServerStats srv0 = host.stats();
        // A trace another scenario published must not help this one: it measures the mount without.
        StackshareMount.Mounted mount = StackshareMount.mount(ctx, host, relay, cache, mnt, List.of("--no-trace-prefetch"));
        try {
            Path stack = BenchContext.inMount(mnt, ctx.config.stack());
            Path wt = BenchContext.inMount(mnt, ctx.config.worktree());
            if (!cold) {
                ctx.job(stack, wt);
                net0 = relay.stats();
                srv0 = host.stats();
            }
            Proc.Result job = ctx.job(stack, wt);
            DelayRelay.Stats net1 = relay.stats();
            Api.ServerStats srv1 = host.stats();
            return new Measurement(name(), rttMillis, repetition, job.seconds(), cold ? mount.seconds() : 0,
                    net1.bytesSince(net0),
                    srv1.requests() - srv0.requests() - 1, srv1.objectsServed() - srv0.objectsServed(),
                    Host.peakRssKb(mount.pid()));
        } finally {
            StackshareMount.unmount(ctx, mnt, cache);
        }
    }
}
