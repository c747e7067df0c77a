package dev.stackshare.bench;

import dev.stackshare.client.Mounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The floor of any libfuse 2 filesystem on this machine: the job from {@code bindfs} (a
 * passthrough written in C on the same libfuse 2 as stackshare's mount) over the local stack,
 * with stackshare's mount options, page cache dropped. Nothing goes over the network, so what
 * it adds to local cold is the FUSE path alone: each lookup, read and listing a trip from the
 * kernel to a user process and back.
 */
final class PassthroughScenario implements Scenario {
    /** stackshare's own caching mount options, so that only the filesystem differs. */
    static final String OPTIONS = "ro," + Mounter.KERNEL_CACHING_OPTIONS;

    @Override
    public String name() {
        return "fuse-passthrough-cold";
    }

    @Override
    public boolean networked() {
        return false;
    }

    @Override
    public Measurement run(BenchContext ctx, double rttMillis, int repetition) throws Exception {
        Path stack = ctx.work.resolve("mnt/passthrough-stack");
        Path wt = ctx.work.resolve("mnt/passthrough-worktree");
        Files.createDirectories(stack);
        Files.createDirectories(wt);
        mount(ctx.config.stack(), stack);
        try {
            mount(ctx.config.worktree(), wt);
            try {
                Host.dropPageCache();
                Proc.Result job = ctx.job(stack, wt);
                return new Measurement(name(), rttMillis, repetition, job.seconds(), 0, 0, 0, 0, 0);
            } finally {
                Proc.run(List.of("fusermount", "-u", "-z", wt.toString()), Map.of(), 60);
            }
        } finally {
            Proc.run(List.of("fusermount", "-u", "-z", stack.toString()), Map.of(), 60);
        }
    }

    private static void mount(Path source, Path mountpoint) throws Exception {
        Proc.run(List.of("bindfs", "-o", OPTIONS, source.toString(), mountpoint.toString()), Map.of(), 60)
                .requireOk("bindfs mount (Debian package bindfs)");
    }
}
