package dev.stackshare.cli;

import dev.stackshare.protocol.Lifecycle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gc",
        mixinStandardHelpOptions = true,
        description = {
            "Remove old snapshots and every frozen object that no remaining snapshot needs.",
            "",
            "A snapshot is removed when it is beyond the newest --keep of its view AND older than",
            "--older-than. The newest snapshot of each view is always kept, and so is one that a",
            "node mounted in the last hour, unless --force. --dry-run shows what would go.",
        })
final class GcCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+)([smhdw])");

    @Spec
    CommandSpec spec;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "1",
            description = "Snapshots to keep per view, newest first (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "0s",
            description = "Only remove snapshots older than this: 30m, 12h, 7d, 2w (default: ${DEFAULT-VALUE}).")
    String olderThan;

    @Option(names = "--force", description = "Also remove snapshots that a node mounted in the last hour.")
    boolean force;

    @Option(names = "--dry-run", description = "Say what would be removed, remove nothing.")
    boolean dryRun;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State dir of the running server (default: ${XDG_STATE_HOME:-~/.local/state}/stackshare).")
    Path stateDir;

    @Override
    public Integer call() throws IOException {
        if (keep < 1) {
            throw new UserError("--keep must be at least 1 (the newest snapshot of a view is always kept), got " + keep);
        }
        Lifecycle.GcReport report = LocalServer.find(stateDir, Duration.ofMinutes(30)).client()
                .gc(new Lifecycle.GcRequest(keep, parseDuration(olderThan).toSeconds(), force, dryRun));
        PrintWriter out = spec.commandLine().getOut();
        String verb = report.dryRun() ? "would remove" : "removed";
        out.printf("%s %d snapshots%s, %d objects, %s; kept %d%n", verb, report.removed().size(),
                report.removed().isEmpty() ? "" : " (" + String.join(", ", report.removed()) + ")",
                report.objectsRemoved(), Sizes.human(report.bytesFreed()), report.kept());
        if (!report.keptInUse().isEmpty()) {
            out.println("kept because a node mounted them in the last hour (use --force to remove): "
                    + String.join(", ", report.keptInUse()));
        }
        out.flush();
        return 0;
    }

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new UserError("--older-than wants a number and a unit (s, m, h, d, w), like 7d or 12h; got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }
}
