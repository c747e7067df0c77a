package dev.stackshare.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The job from sshfs mounts of the stack and the working tree, through the same relay.
 * {@code no_contain_symlinks} because the stack has symlinks whose targets contain "..".
 */
final class SshfsScenario implements Scenario {
    private final boolean cold;

    SshfsScenario(boolean cold) {
        this.cold = cold;
    }

    @Override
    public String name() {
        return cold ? "sshfs-cold" : "sshfs-warm";
    }

    @Override
    public boolean networked() {
        return true;
    }

    @Override
    public Measurement run(BenchContext ctx, double rttMillis, int repetition) throws Exception {
        SshServer ssh = ctx.ssh();
        DelayRelay relay = ctx.relay(ssh.port(), rttMillis);
        Path stack = ctx.work.resolve("mnt/sshfs-stack");
        Path wt = ctx.work.resolve("mnt/sshfs-worktree");
        Files.createDirectories(stack);
        Files.createDirectories(wt);
        Host.dropPageCache();
        DelayRelay.Stats net0 = relay.stats();
        long start = System.nanoTime();
        mount(ssh, relay, ctx.config.stack(), stack);
        try {
            mount(ssh, relay, ctx.config.worktree(), wt);
            try {
                double setup = (System.nanoTime() - start) / 1e9;
                if (!cold) {
                    ctx.job(stack, wt);
                    net0 = relay.stats();
                }
                Proc.Result job = ctx.job(stack, wt);
                DelayRelay.Stats net1 = relay.stats();
                String rss = Proc.sh("ps -C sshfs -o rss= | sort -n | tail -1", Map.of(), 30).out().strip();
                return new Measurement(name(), rttMillis, repetition, job.seconds(), cold ? setup : 0,
                        net1.bytesSince(net0),
                        0, 0, rss.isEmpty() ? 0 : Long.parseLong(rss));
            } finally {
                Proc.run(List.of("fusermount", "-u", "-z", wt.toString()), Map.of(), 60);
            }
        } finally {
            Proc.run(List.of("fusermount", "-u", "-z", stack.toString()), Map.of(), 60);
        }
    }

    private static void mount(SshServer ssh, DelayRelay relay, Path remote, Path local) throws Exception {
        Proc.run(List.of("sshfs", ssh.user() + "@127.0.0.1:" + remote, local.toString(),
                "-p", Integer.toString(relay.port()),
                "-o", "IdentityFile=" + ssh.identity() + ",StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null"
                        + ",BatchMode=yes,ro,no_contain_symlinks,LogLevel=ERROR"), Map.of(), 120).requireOk("sshfs mount");
    }
}
