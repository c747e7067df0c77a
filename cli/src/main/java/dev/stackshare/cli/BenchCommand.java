package dev.stackshare.cli;

import dev.stackshare.bench.BenchConfig;
import dev.stackshare.bench.BenchSuite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = {BenchPublishCommand.class, BenchLoadCommand.class},
        description = {
            "Measure a job's start from stackshare against local disk, sshfs and copying the stack,",
            "all on the same run, over an emulated network (a delaying relay on loopback).",
            "",
            "Default workload: the scientific Python stack and job of bench/corpus (built once",
            "under --corpus-dir; needs root for apt-get). Or give your own --stack, --worktree",
            "and --job. Cold runs drop the page cache (as root) and use a fresh mount and node",
            "cache. Writes results.md, results.json and chart.svg to --out. Scripts/bench.sh",
            "installs sshd, sshfs, bindfs and rsync and runs this.",
        })
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--stack", paramLabel = "DIR", description = "The stack to serve (default: the corpus stack).")
    Path stack;

    @Option(names = "--worktree", paramLabel = "DIR", description = "The git working tree to serve (default: the corpus worktree). The suite edits only its own copy.")
    Path worktree;

    @Option(names = "--job", paramLabel = "COMMAND",
            description = "The job, run with bash -c; {stack} and {worktree} are replaced by where each scenario shows them "
                    + "(default: bench/corpus/job.sh {stack} {worktree}).")
    String job;

    @Option(names = "--expect", paramLabel = "TEXT", description = "Text the job prints on success, checked every run (default for the corpus job: JOB-OK).")
    String expect;

    @Option(names = "--corpus-dir", paramLabel = "DIR", defaultValue = "/var/tmp/stackshare-bench",
            description = "Where the corpus stack and worktree are built once (default: ${DEFAULT-VALUE}).")
    Path corpusDir;

    @Option(names = "--rtt", paramLabel = "MS", split = ",", defaultValue = "0.2,2,10",
            description = "Emulated round-trip times in ms (default: ${DEFAULT-VALUE}).")
    List<Double> rtts;

    @Option(names = "--rate-mbit", paramLabel = "MBIT", defaultValue = "0",
            description = "Bandwidth cap of the emulated network in Mbit/s, 0 for none (default: ${DEFAULT-VALUE}).")
    double rateMbit;

    @Option(names = "--reps", defaultValue = "3", description = "Repetitions of each scenario; medians are reported (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--scenarios", split = ",", paramLabel = "NAME",
            description = "Scenarios to run (default: all): local-cold, local-warm, stackshare-cold, stackshare-warm, "
                    + "stackshare-node-cache (a fresh mount over a node cache an earlier job filled), "
                    + "stackshare-long-mount (a later job through a mount that served one, page cache dropped), stackshare-trace, "
                    + "fuse-passthrough-cold (bindfs over the local stack: the floor of any libfuse 2 filesystem), "
                    + "stackshare-libfuse-cold, stackshare-libfuse-warm, stackshare-libfuse-node-cache (the same, mounted "
                    + "through libfuse 2 instead of stackshare's own FUSE session), sshfs-cold, sshfs-warm, copy-tar-zstd, copy-rsync, publish-after-edit.")
    List<String> scenarios = new ArrayList<>(BenchSuite.ALL_SCENARIOS);

    @Option(names = "--out", paramLabel = "DIR", description = "Results dir (default: bench/results/<time> in the repository).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path repo = Launcher.repository();
        Path corpus = repo.resolve("bench/corpus");
        boolean useCorpus = stack == null;
        if (useCorpus != (worktree == null) || useCorpus != (job == null)) {
            throw new UserError("give all of --stack, --worktree and --job for your own workload, or none of them for the corpus");
        }
        if (useCorpus) {
            stack = corpusDir.resolve("stack");
            worktree = corpusDir.resolve("worktree");
            buildCorpus(corpus);
            job = corpus.resolve("job.sh") + " {stack} {worktree}";
            expect = expect == null ? "JOB-OK uncommitted-edit-7f3a" : expect;
        }
        // Real paths: sshfs cannot mount a remote path whose last component is a symlink.
        for (Path p : List.of(stack, worktree)) {
            if (!Files.isDirectory(p)) {
                throw new UserError(p + " is not a directory");
            }
        }
        if (reps < 1) {
            throw new UserError("--reps must be at least 1");
        }
        Path outDir = out != null ? Paths.absolute(out)
                : repo.resolve("bench/results").resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        BenchConfig config = new BenchConfig(repo.resolve("bin/stackshare"), stack.toRealPath(), worktree.toRealPath(),
                List.of("bash", "-c", job), expect, rtts, (long) (rateMbit * 1_000_000 / 8), reps, scenarios, outDir);
        String commandLine = "stackshare " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        spec.commandLine().getOut().println(BenchSuite.run(config, commandLine, System.err));
        spec.commandLine().getOut().println("results in " + outDir);
        return 0;
    }

    private void buildCorpus(Path corpus) throws IOException, InterruptedException {
        if (!Files.isDirectory(stack)) {
            System.err.println("bench: building the corpus stack in " + stack + " (once; about 750 MB)");
            run(List.of(corpus.resolve("build-stack.sh").toString(), stack.toString()));
        }
        if (!Files.isDirectory(worktree)) {
            run(List.of(corpus.resolve("make-worktree.sh").toString(), worktree.toString()));
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new UserError(String.join(" ", cmd) + " failed (exit " + p.exitValue() + ")");
        }
    }
}
