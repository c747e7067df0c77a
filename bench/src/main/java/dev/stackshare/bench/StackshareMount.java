package dev.stackshare.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** `stackshare mount` and `unmount` as a node's job prologue and epilogue run them, through the relay. */
final class StackshareMount {
    private StackshareMount() {
    }

    /** The filesystem process and how long the mount command took, command to ready. */
    record Mounted(long pid, double seconds) {
    }

    static Mounted mount(BenchContext ctx, StackshareHost host, DelayRelay relay, Path cache, Path mnt,
                         List<String> extra) throws Exception {
        return mount(ctx, host, relay, cache, mnt, extra, Map.of());
    }

    /** @param env added to the mount command's environment, e.g. {@code STACKSHARE_JAVA_OPTS} to choose its FUSE session */
    static Mounted mount(BenchContext ctx, StackshareHost host, DelayRelay relay, Path cache, Path mnt,
                         List<String> extra, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ctx.config.launcher().toString(), "mount",
                "--server", "http://127.0.0.1:" + relay.port(), "--token-file", host.tokenFile().toString(),
                "--cache-dir", cache.toString()));
        cmd.addAll(extra);
        cmd.add(mnt.toString());
        Proc.Result mount = Proc.run(cmd, env, 300).requireOk("stackshare mount");
        return new Mounted(Long.parseLong(mount.out().replaceAll("(?s).*\\(process (\\d+),.*", "$1")), mount.seconds());
    }

    /** Unmounts and discards the node cache the mount used. */
    static void unmount(BenchContext ctx, Path mnt, Path cache) throws Exception {
        unmount(ctx, mnt, cache, true);
    }

    /** Unmounts, and discards the node cache the mount used unless the next mount is to reuse it. */
    static void unmount(BenchContext ctx, Path mnt, Path cache, boolean discardCache) throws Exception {
        Proc.run(List.of(ctx.config.launcher().toString(), "unmount", mnt.toString()), Map.of(), 120)
                .requireOk("stackshare unmount");
        if (discardCache) {
            ctx.discard(cache);
        }
    }
}
