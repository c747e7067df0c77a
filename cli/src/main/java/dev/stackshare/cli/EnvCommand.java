package dev.stackshare.cli;

import dev.stackshare.client.ServerClient;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "env",
        mixinStandardHelpOptions = true,
        description = {
            "Print `export` lines that recreate the developer's captured environment.",
            "",
            "With --mount DIR, every path under an exported root is rewritten to its place in",
            "the mount, so   eval \"$(stackshare env --snapshot ID --mount /mnt/ss)\"   sets up a",
            "job on a node where the snapshot is mounted at /mnt/ss. With --same-paths the paths",
            "are left as they are (for a namespace where the roots sit at their own paths).",
            "Secrets (tokens, keys, passwords, passwords in URLs) were left out when the snapshot",
            "was taken, but for what `serve --keep-env` kept; host and session variables",
            "(HOME, USER, TMPDIR, SSH_*, ...) are not printed.",
        })
final class EnvCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Where where;

    static final class Where {
        @Option(names = "--mount", paramLabel = "DIR", description = "Where the snapshot is mounted on this node.")
        Path mount;

        @Option(names = "--same-paths", description = "Print paths unchanged.")
        boolean samePaths;
    }

    @Override
    public Integer call() throws IOException {
        Snapshot snapshot = new ServerClient(serverOptions.urls(), serverOptions.token(), Duration.ofSeconds(30))
                .snapshot(serverOptions.snapshot);
        Map<String, String> env = SnapshotEnvironment.forJob(snapshot, where.samePaths ? null : Paths.absolute(where.mount));
        PrintWriter out = spec.commandLine().getOut();
        env.forEach((k, v) -> out.println(PathMapper.exportLine(k, v)));
        out.flush();
        return 0;
    }
}
