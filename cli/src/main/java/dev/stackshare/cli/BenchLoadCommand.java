package dev.stackshare.cli;

import dev.stackshare.bench.LoadBench;
import dev.stackshare.client.ColdStart;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "load",
        mixinStandardHelpOptions = true,
        description = {
            "Many nodes cold-starting one snapshot at once, on loopback.",
            "",
            "Starts `stackshare serve` of --tree in its own JVM (heap -Xmx" + LoadBench.SERVER_HEAP + "), then runs",
            "--clients cold starts at once, each with its own empty cache, the way a mount does without FUSE:",
            "view look-up, the tree, then the working set's files with directory batches and read-ahead, every",
            "chunk checked against its digest. Against the origin, then through each --server HTTP cache.",
            "Reports objects/s, MB/s, p50/p99 object latency, origin requests, 503s and retries, the slowest",
            "view look-up during the load, and the origin's heap. Writes load.md and load.json to --out.",
            "Exits 1 when a client failed or read a wrong byte.",
        })
final class BenchLoadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tree", paramLabel = "DIR",
            description = "A tree the origin serves (repeat for more; default: --corpus-stack).")
    List<Path> trees = new ArrayList<>();

    @Option(names = "--corpus-stack", paramLabel = "DIR", defaultValue = "/var/tmp/stackshare-bench/stack",
            description = "The stack built by bench/corpus/build-stack.sh, served when no --tree is given (default: ${DEFAULT-VALUE}).")
    Path corpusStack;

    @Option(names = "--clients", defaultValue = "" + LoadBench.DEFAULT_CLIENTS,
            description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--files", paramLabel = "LIST",
            description = "The job's working set: a file of absolute paths as the origin serves them, one a line, in "
                    + "the order the job opens them, each PATH (read whole) or PATH<TAB>BYTES (read the first BYTES, "
                    + "for a library the job maps and touches in part); bench/corpus/job-files.sh makes it for the "
                    + "corpus job (default: every file whole in tree order, up to --max-files).")
    Path files;

    @Option(names = "--max-files", paramLabel = "N",
            description = "Read at most this many files a client (default: all of --files, else 1000).")
    Integer maxFiles;

    @Option(names = "--server", paramLabel = "URL", split = ",",
            description = "HTTP caches in front of the origin (loopback), comma-separated, cache first; one run "
                    + "through the first, after the run against the origin. Point the cache at --listen.")
    List<URI> through = new ArrayList<>();

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
            description = "Where the origin listens (loopback; default: ${DEFAULT-VALUE}, a free port).")
    String listen;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "0",
            description = "The origin's bound on data requests in flight; past it, 503 with Retry-After "
                    + "(default: the server's own, 64).")
    int maxInFlight;

    @Option(names = "--time-limit", paramLabel = "SECONDS", defaultValue = "600",
            description = "A run's bound: clients still working then count as failed (default: ${DEFAULT-VALUE}).")
    long timeLimitSeconds;

    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "/var/tmp/stackshare-bench/load-scratch",
            description = "Scratch: the origin's state dir and the clients' caches, removed after each run (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--out", paramLabel = "DIR", description = "Results dir (default: bench/results/load-<time> in the repository).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path repo = Launcher.repository();
        List<Path> roots = new ArrayList<>();
        for (Path t : trees.isEmpty() ? List.of(corpusStack) : trees) {
            if (!Files.isDirectory(t)) {
                throw new UserError(t + " is not a directory" + (trees.isEmpty()
                        ? "; build the corpus with bench/corpus/build-stack.sh or give --tree" : ""));
            }
            roots.add(t.toRealPath());
        }
        List<ColdStart.FileRead> workingSet = new ArrayList<>();
        if (files != null) {
            for (String line : Files.readAllLines(files, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    try {
                        workingSet.add(ColdStart.FileRead.parse(line));
                    } catch (IllegalArgumentException e) {
                        throw new UserError(files + ": " + e.getMessage());
                    }
                }
            }
            if (workingSet.isEmpty()) {
                throw new UserError(files + " names no file");
            }
        }
        // Only the first URL of a list is used until the client fails over across several.
        List<URI> caches = through.isEmpty() ? List.of() : List.of(through.get(0));
        Path outDir = out != null ? Paths.absolute(out) : repo.resolve("bench/results")
                .resolve("load-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        LoadBench.Config config = new LoadBench.Config(repo.resolve("bin/stackshare"), roots, listen, caches, clients,
                workingSet, maxFiles != null ? maxFiles : files != null ? Integer.MAX_VALUE : 1000, maxInFlight,
                Duration.ofSeconds(timeLimitSeconds), Paths.absolute(workDir), outDir);
        List<LoadBench.Run> runs = LoadBench.run(config, System.err);
        String commandLine = ("stackshare " + String.join(" ",
                spec.commandLine().getParseResult().originalArgs())).strip();
        LoadBench.write(config, runs, commandLine);
        spec.commandLine().getOut().println(LoadBench.markdown(runs, commandLine, config));
        spec.commandLine().getOut().println("results in " + outDir);
        return runs.stream().allMatch(LoadBench.Run::allExact) ? 0 : 1;
    }
}
