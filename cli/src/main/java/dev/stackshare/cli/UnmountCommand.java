package dev.stackshare.cli;

import dev.stackshare.client.MountLinger;
import dev.stackshare.client.Mounts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "unmount",
        mixinStandardHelpOptions = true,
        description = {
            "Unmount a snapshot mounted with `stackshare mount`, and stop its process.",
            "",
            "A stale mount left by a killed client is cleaned up too. If a process still",
            "uses the mount, nothing is changed and the command says so.",
            "",
            "With --linger DURATION the mount stays, and its process unmounts it once DURATION",
            "passes with no job using it: each `stackshare mount` of the same snapshot on",
            "MOUNTPOINT counts one more job, each `unmount --linger` one less. A batch epilog",
            "lets the mount go this way, and the next job of this user on the node (its",
            "prologue's `mount`) starts warm, on the same mount; the tasks of a job array share",
            "it. Set a default in the settings file (`unmount: {linger: 10m}`).",
        })
final class UnmountCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT")
    Path mountpoint;

    @Option(names = "--linger", paramLabel = "DURATION", defaultValue = "0",
            description = "Keep the mount until DURATION passes with no job using it, e.g. 10m, 2h "
                    + "(default: ${DEFAULT-VALUE}, unmount now).")
    String linger;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "The cache dir the mount was made with, where its linger is noted (default: as for mount).")
    Path cacheDir;

    @Override
    public Integer call() throws IOException {
        Path dir = Paths.absolute(mountpoint);
        Duration idle = Durations.parse("--linger", linger, true);
        if (idle.isZero()) {
            Mounts.unmount(dir);
            spec.commandLine().getOut().println("unmounted " + dir);
            return 0;
        }
        String snapshot = Mounts.liveSnapshotOn(dir).orElseThrow(() -> new UserError(dir
                + " holds no live stackshare mount of yours to keep; nothing to linger"));
        int left = MountLinger.of(Paths.cacheDir(cacheDir), dir).leave(idle);
        spec.commandLine().getOut().println(left == 0
                ? "lingering " + snapshot + " at " + dir + ": unmounted after " + linger + " with no new mount of it"
                : "kept " + snapshot + " at " + dir + ": " + left + " more job" + (left == 1 ? "" : "s") + " use it");
        return 0;
    }
}
