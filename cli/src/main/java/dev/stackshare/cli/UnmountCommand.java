package dev.stackshare.cli;

import dev.stackshare.client.Mounts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "unmount",
        mixinStandardHelpOptions = true,
        description = {
            "Unmount a snapshot mounted with `stackshare mount`, and stop its process.",
            "",
            "A stale mount left by a killed client is cleaned up too. If a process still",
            "uses the mount, nothing is changed and the command says so.",
        })
final class UnmountCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT")
    Path mountpoint;

    @Override
    public Integer call() throws IOException {
        Path dir = Paths.absolute(mountpoint);
        Mounts.unmount(dir);
        spec.commandLine().getOut().println("unmounted " + dir);
        return 0;
    }
}
