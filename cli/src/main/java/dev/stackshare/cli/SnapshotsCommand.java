package dev.stackshare.cli;

import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Lifecycle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "snapshots",
        mixinStandardHelpOptions = true,
        description = {
            "List the running server's snapshots, oldest first: id, view, time, roots, size, the",
            "bytes of files new since the view's previous snapshot, and when a node last mounted it.",
        })
final class SnapshotsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State dir of the running server (default: ${XDG_STATE_HOME:-~/.local/state}/stackshare).")
    Path stateDir;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        List<Lifecycle.SnapshotSummary> all = LocalServer.find(stateDir, Duration.ofMinutes(5)).client().snapshots();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.writePretty(all));
        } else {
            out.printf("%-16s  %-12s  %-19s  %5s  %9s  %10s  %10s  %-19s%n", "ID", "VIEW", "CREATED", "ROOTS", "FILES",
                    "SIZE", "NEW", "LAST MOUNTED");
            for (Lifecycle.SnapshotSummary s : all) {
                out.printf("%-16s  %-12s  %-19s  %5d  %9d  %10s  %10s  %-19s%n", s.id(), s.view(),
                        TIME.format(s.createdAt()), s.roots().size(), s.files(), Sizes.human(s.bytes()),
                        Sizes.human(s.newBytes()), s.lastUsed() == null ? "-" : TIME.format(s.lastUsed()));
            }
        }
        out.flush();
        return 0;
    }
}
