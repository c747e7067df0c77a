package dev.stackshare.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Copy the whole stack and working tree to the node first (tar | zstd over ssh, or rsync over
 * ssh), then run the job from local disk. The measured time is copy plus job.
 */
final class CopyScenario implements Scenario {
    private final boolean rsync;

    CopyScenario(boolean rsync) {
        this.rsync = rsync;
    }

    @Override
    public String name() {
        return rsync ? "copy-rsync" : "copy-tar-zstd";
    }

    @Override
    public boolean networked() {
        return true;
    }

    @Override
    public Measurement run(BenchContext ctx, double rttMillis, int repetition) throws Exception {
        SshServer ssh = ctx.ssh();
        DelayRelay relay = ctx.relay(ssh.port(), rttMillis);
        Path dest = ctx.work.resolve("copy");
        Path stack = dest.resolve("stack");
        Path wt = dest.resolve("worktree");
        ctx.discard(dest);
        Proc.run(List.of("mkdir", "-p", stack.toString(), wt.toString()), Map.of(), 30).requireOk("mkdir");
        Host.dropPageCache();
        DelayRelay.Stats net0 = relay.stats();
        long start = System.nanoTime();
        copy(ssh, relay, ctx.config.stack(), stack);
        copy(ssh, relay, ctx.config.worktree(), wt);
        double copySeconds = (System.nanoTime() - start) / 1e9;
        Proc.Result job = ctx.job(stack, wt);
        DelayRelay.Stats net1 = relay.stats();
        return new Measurement(name(), rttMillis, repetition, copySeconds + job.seconds(), copySeconds,
                net1.bytesSince(net0), 0, 0, 0);
    }

    private void copy(SshServer ssh, DelayRelay relay, Path from, Path to) throws Exception {
        String sshCommand = ssh.clientCommand(relay.port());
        String script = rsync
                ? "rsync -a -e " + q(sshCommand) + " " + q(ssh.user() + "@127.0.0.1:" + from + "/") + " " + q(to + "/")
                : sshCommand + " " + ssh.user() + "@127.0.0.1 " + q("tar -C " + q(from.toString()) + " -cf - . | zstd -q -1")
                        + " | zstd -q -d | tar -C " + q(to.toString()) + " -xf -";
        Proc.sh("set -o pipefail; " + script, Map.of(), 1800).requireOk(name() + " of " + from);
    }

    private static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
