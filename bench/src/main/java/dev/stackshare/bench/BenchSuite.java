package dev.stackshare.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every chosen scenario at every RTT, repetitions interleaved (rep 1 of all, then rep 2,
 * ...) so that noise on the machine spreads over all of them, after one unmeasured warm-up
 * run of each (which also builds the job's own caches, such as matplotlib's font list).
 */
public final class BenchSuite {
    public static final List<String> ALL_SCENARIOS = List.of("local-cold", "local-warm", "stackshare-cold",
            "stackshare-warm", "stackshare-node-cache", "stackshare-long-mount", "stackshare-trace",
            "fuse-passthrough-cold", "stackshare-libfuse-cold", "stackshare-libfuse-warm", "stackshare-libfuse-node-cache",
            "sshfs-cold", "sshfs-warm", "copy-tar-zstd", "copy-rsync", "publish-after-edit");
    /** The RTT the targets are stated at. */
    static final double MAIN_RTT = 2.0;

    private BenchSuite() {
    }

    static Scenario scenario(String name) {
        return switch (name) {
            case "local-cold" -> new LocalScenario(true);
            case "local-warm" -> new LocalScenario(false);
            case "stackshare-cold" -> new StackshareScenario(StackshareScenario.Start.COLD);
            case "stackshare-warm" -> new StackshareScenario(StackshareScenario.Start.WARM);
            case "stackshare-node-cache" -> new StackshareScenario(StackshareScenario.Start.NODE_CACHE);
            case "stackshare-long-mount" -> new StackshareScenario(StackshareScenario.Start.LONG_RUNNING);
            case "stackshare-trace" -> new TraceScenario();
            case "stackshare-libfuse-cold" -> new StackshareScenario(StackshareScenario.Start.COLD, true);
            case "stackshare-libfuse-warm" -> new StackshareScenario(StackshareScenario.Start.WARM, true);
            case "stackshare-libfuse-node-cache" -> new StackshareScenario(StackshareScenario.Start.NODE_CACHE, true);
            case "fuse-passthrough-cold" -> new PassthroughScenario();
            case "sshfs-cold" -> new SshfsScenario(true);
            case "sshfs-warm" -> new SshfsScenario(false);
            case "copy-tar-zstd" -> new CopyScenario(false);
            case "copy-rsync" -> new CopyScenario(true);
            case "publish-after-edit" -> new PublishScenario();
            default -> throw new BenchException("unknown scenario '" + name + "'; known: " + String.join(", ", ALL_SCENARIOS));
        };
    }

    /** Runs the suite, writes results.md, results.json and chart.svg, and returns the Markdown. */
    public static String run(BenchConfig config, String commandLine, PrintStream log) throws Exception {
        List<Scenario> scenarios = config.scenarios().stream().map(BenchSuite::scenario).toList();
        Path work = Files.createTempDirectory("stackshare-bench-");
        // The suite edits the working tree (publish-after-edit): only ever its own copy.
        Path worktree = work.resolve("worktree");
        Proc.run(List.of("cp", "-a", config.worktree().toString(), worktree.toString()), Map.of(), 600)
                .requireOk("copying the working tree");
        BenchConfig own = new BenchConfig(config.launcher(), config.stack(), worktree, config.job(),
                config.expectInOutput(), config.rttsMillis(), config.bytesPerSecond(), config.repetitions(),
                config.scenarios(), config.outDir());
        String stackNote = "Stack: " + own.stack() + "; " + CompiledModules.check(own.stack()).describe();
        log.println(stackNote);
        List<Measurement> runs = new ArrayList<>();
        try (BenchContext ctx = new BenchContext(own, work)) {
            for (Scenario s : scenarios) {
                log.println("warm-up: " + s.name());
                s.run(ctx, s.networked() ? own.rttsMillis().get(0) : 0, 0);
            }
            for (int rep = 1; rep <= own.repetitions(); rep++) {
                for (Scenario s : scenarios) {
                    for (double rtt : s.networked() ? own.rttsMillis() : List.of(0.0)) {
                        Measurement m = s.run(ctx, rtt, rep);
                        runs.add(m);
                        log.println(String.format(Locale.ROOT, "rep %d %-20s rtt %5s ms  job %7.3f s  set-up %6.3f s  net %8.2f MB",
                                rep, s.name(), Report.fmt(rtt), m.seconds(), m.setupSeconds(), m.networkBytes() / 1e6));
                    }
                }
            }
        } finally {
            Proc.run(List.of("rm", "-rf", work.toString()), Map.of(), 600);
        }
        List<Report.Row> rows = Report.rows(runs);
        double main = own.rttsMillis().contains(MAIN_RTT) ? MAIN_RTT : own.rttsMillis().get(0);
        Report.Results results = new Report.Results(commandLine, machine(), stackNote, rows, Report.ratios(rows, main), runs);
        Report.write(own.outDir(), results);
        return Report.markdown(results);
    }

    private static String machine() throws IOException, InterruptedException {
        String cpu = Proc.sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2", Map.of(), 10).out().strip();
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                + Proc.sh("uname -r", Map.of(), 10).out().strip() + ", Java " + Runtime.version()
                + (Host.isRoot() ? ", page cache dropped for cold runs" : ", page cache NOT dropped (not root)");
    }
}
