package dev.stackshare.cli;

import dev.stackshare.bench.PublishBench;
import dev.stackshare.bench.StackTreeGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "publish",
        mixinStandardHelpOptions = true,
        description = {
            "Measure publish speed against find and sha256sum on the same trees, in one run.",
            "",
            "For each tree: a first publish (fresh state dir, so every byte is read) against",
            "sha256sum run one process per core over the same files, and a re-publish after a",
            "one-file edit against a bare `find -printf` stat walk. The page cache is warmed",
            "before every timed command. Runs real `stackshare serve` and `publish` processes.",
            "Writes publish.md and publish.json to --out.",
            "",
            "Default trees: a generated 100,000-file stack-shaped tree (made once under",
            "--work-dir) and the corpus stack if --corpus-stack exists.",
        })
final class BenchPublishCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tree", paramLabel = "DIR", description = "A tree to measure (repeat for more); replaces the defaults.")
    List<Path> trees = new ArrayList<>();

    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "/var/tmp/stackshare-bench",
            description = "Scratch: the generated tree and the servers' state dirs (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--files", defaultValue = "100000",
            description = "Files in the generated tree (default: ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--corpus-stack", paramLabel = "DIR", defaultValue = "/var/tmp/stackshare-bench/stack",
            description = "The stack built by bench/corpus/build-stack.sh, measured too when it exists (default: ${DEFAULT-VALUE}).")
    Path corpusStack;

    @Option(names = "--reps", defaultValue = "3", description = "Repetitions; medians are reported (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--drop-caches",
            description = "Drop the page cache (as root) before each timed command, for both sides, instead of "
                    + "warming it: for trees bigger than what stays cached.")
    boolean dropCaches;

    @Option(names = "--out", paramLabel = "DIR", description = "Results dir (default: bench/results/publish-<time> in the repository).")
    Path out;

    /** Runs without the rest of the command line: {@code java -cp stackshare.jar dev.stackshare.cli.BenchPublishCommand}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchPublishCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path repo = Launcher.repository();
        Path work = Paths.absolute(workDir);
        List<PublishBench.Workload> workloads = new ArrayList<>();
        if (trees.isEmpty()) {
            Path generated = work.resolve("generated-" + files);
            if (!Files.isDirectory(generated)) {
                System.err.println("bench publish: generating " + files + " files in " + generated + " (once)");
                Path partial = work.resolve("generated-" + files + ".partial");
                deleteIfPartial(partial);
                StackTreeGenerator.Summary s = StackTreeGenerator.generate(partial, files, 42);
                Files.move(partial, generated);
                System.err.printf("bench publish: %,d files, %,d dirs, %,d bytes%n", s.files(), s.dirs(), s.bytes());
            }
            workloads.add(new PublishBench.Workload("generated-" + files, generated));
            if (Files.isDirectory(corpusStack)) {
                workloads.add(new PublishBench.Workload("corpus-stack", Paths.absolute(corpusStack)));
            } else {
                System.err.println("bench publish: no corpus stack at " + corpusStack
                        + " (build it with bench/corpus/build-stack.sh); measuring the generated tree only");
            }
        } else {
            for (Path t : trees) {
                if (!Files.isDirectory(t)) {
                    throw new UserError(t + " is not a directory");
                }
                workloads.add(new PublishBench.Workload(t.getFileName().toString(), Paths.absolute(t)));
            }
        }
        Path outDir = out != null ? Paths.absolute(out) : repo.resolve("bench/results")
                .resolve("publish-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        PublishBench.Config config = new PublishBench.Config(repo.resolve("bin/stackshare"), workloads, reps,
                work.resolve("publish-scratch"), outDir, dropCaches);
        List<PublishBench.Result> results = PublishBench.run(config, System.err);
        // Under `stackshare` the parse result holds the whole command line ("bench publish ..."); run
        // alone (main below) only this command's options.
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        String commandLine = "stackshare " + (!args.isEmpty() && args.get(0).equals("bench") ? "" : "bench publish ")
                + String.join(" ", args);
        PublishBench.write(config, results, commandLine.strip());
        spec.commandLine().getOut().println(PublishBench.markdown(results, commandLine.strip(), dropCaches));
        spec.commandLine().getOut().println("results in " + outDir);
        return 0;
    }

    private static void deleteIfPartial(Path partial) throws java.io.IOException {
        if (Files.exists(partial)) {
            try (var all = Files.walk(partial)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
