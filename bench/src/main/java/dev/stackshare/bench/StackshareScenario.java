package dev.stackshare.bench;

import dev.stackshare.protocol.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The job from a stackshare mount over the emulated network. The measured time is the job's;
 * the mount command is reported as set-up, and the CPU the mount and the server spent during
 * the job beside it, so a run shows where the time went.
 */
final class StackshareScenario implements Scenario {
    /** What the node holds when the measured job starts. */
    enum Start {
        /** A fresh mount, an empty node cache and a dropped page cache, as on a node that never ran the job. */
        COLD("stackshare-cold"),
        /** A second job on the same mount: kernel caches warm. */
        WARM("stackshare-warm"),
        /**
         * A fresh mount and a dropped page cache over a node cache an earlier job filled (and
         * unmounted): what the network and the server cost, against {@link #COLD}, is the
         * difference between the two.
         */
        NODE_CACHE("stackshare-node-cache"),
        /**
         * A later job through a long-running mount (docs/operations.md's systemd unit, which jobs'
         * {@code stackshare exec} reuses): the mount has served one job, and the page cache is
         * dropped before this one, so the job gets what the mount process holds (its caches and
         * its warm JVM), not the kernel's pages. What a node that keeps a mount gives every job
         * after its first.
         */
        LONG_RUNNING("stackshare-long-mount");

        final String scenario;

        Start(String scenario) {
            this.scenario = scenario;
        }
    }

    /** The prefix of the scenarios whose mount is served by libfuse 2 instead of our own kernel session. */
    static final String LIBFUSE = "stackshare-libfuse-";

    private final Start start;
    /** True to mount with libfuse 2 (jnr-fuse), the session our own replaced, for comparison in one run. */
    private final boolean libfuse;

    StackshareScenario(Start start) {
        this(start, false);
    }

    StackshareScenario(Start start, boolean libfuse) {
        this.start = start;
        this.libfuse = libfuse;
    }

    @Override
    public String name() {
        return libfuse ? LIBFUSE + start.scenario.substring("stackshare-".length()) : start.scenario;
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
        // A trace another scenario published must not help this one: it measures the mount without.
        List<String> noTrace = List.of("--no-trace-prefetch");
        Map<String, String> env = libfuse ? Map.of("STACKSHARE_JAVA_OPTS", "-Dstackshare.fuse.session=libfuse") : Map.of();
        if (start == Start.NODE_CACHE) {
            StackshareMount.mount(ctx, host, relay, cache, mnt, noTrace, env);
            try {
                ctx.job(BenchContext.inMount(mnt, ctx.config.stack()), BenchContext.inMount(mnt, ctx.config.worktree()));
            } finally {
                StackshareMount.unmount(ctx, mnt, cache, false);
            }
        }
        Host.dropPageCache();
        StackshareMount.Mounted mount = StackshareMount.mount(ctx, host, relay, cache, mnt, noTrace, env);
        try {
            Path stack = BenchContext.inMount(mnt, ctx.config.stack());
            Path wt = BenchContext.inMount(mnt, ctx.config.worktree());
            boolean secondJob = start == Start.WARM || start == Start.LONG_RUNNING;
            if (secondJob) {
                ctx.job(stack, wt);
            }
            if (start == Start.LONG_RUNNING) {
                Host.dropPageCache();
            }
            DelayRelay.Stats net0 = relay.stats();
            Api.ServerStats srv0 = host.stats();
            Host.CpuUse cpu0 = Host.CpuUse.of(mount.pid(), host.pid());
            Proc.Result job = ctx.job(stack, wt);
            Host.CpuUse cpu = Host.CpuUse.of(mount.pid(), host.pid()).since(cpu0);
            DelayRelay.Stats net1 = relay.stats();
            Api.ServerStats srv1 = host.stats();
            return new Measurement(name(), rttMillis, repetition, job.seconds(), secondJob ? 0 : mount.seconds(),
                    net1.bytesSince(net0),
                    srv1.requests() - srv0.requests() - 1, srv1.objectsServed() - srv0.objectsServed(),
                    Host.peakRssKb(mount.pid()), cpu.mount(), cpu.server());
        } finally {
            StackshareMount.unmount(ctx, mnt, cache);
        }
    }
}
