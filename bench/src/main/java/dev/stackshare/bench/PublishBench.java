package dev.stackshare.bench;

import dev.stackshare.protocol.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Publish speed against the tools a developer already trusts, on the same tree in the same run:
 *
 * <ul>
 *   <li>a first publish (a fresh state dir, so no index: every byte read, hashed, every directory
 *   object written) against {@code sha256sum} run one process per core over the same files;</li>
 *   <li>a re-publish after a one-file edit against a bare {@code find -printf} stat walk.</li>
 * </ul>
 *
 * Each repetition measures both sides back to back, with the page cache warmed just before
 * each timed command (this machine's memory manager evicts idle page cache, so "warm" must be
 * made, not assumed), or dropped before each for both sides ({@link Config#dropCaches}). The server is the real {@code stackshare serve} in its own process; its
 * own log line gives the time of each publish, {@code stackshare publish} the request time and
 * the command's wall time.
 */
public final class PublishBench {
    private static final Pattern PUBLISHED = Pattern.compile("published snapshot (\\w+) .*, (\\d+) ms\\s*$");
    private static final Pattern REQUEST_MS = Pattern.compile(" in (\\d+) ms$", Pattern.MULTILINE);

    /** A tree to measure; {@code name} labels it in the results. */
    public record Workload(String name, Path tree) {
    }

    /**
     * @param launcher the {@code stackshare} launcher ({@code bin/stackshare})
     * @param workDir  scratch for state dirs (removed after)
     */
    /**
     * @param dropCaches drop the page cache (as root) before each timed command instead of warming
     *                   it: for trees too big to stay cached, both sides then read from the disk
     */
    public record Config(Path launcher, List<Workload> workloads, int reps, Path workDir, Path out,
                         boolean dropCaches) {
        public Config {
            workloads = List.copyOf(workloads);
            if (reps < 1) {
                throw new BenchException("reps must be at least 1, got " + reps);
            }
        }
    }

    /** Every timing of one workload, in seconds, one value per repetition. */
    public record Result(String workload, String tree, long files, long bytes, int cores, List<Double> find,
                         List<Double> sha256sum, List<Double> firstPublish, List<Double> republishServer,
                         List<Double> republishRequest, List<Double> republishCommand, List<Double> findAtRepublish) {
        public double firstPublishThroughputRatio() {
            return median(sha256sum) / median(firstPublish);
        }

        public double republishOverFind() {
            return median(republishServer) / median(findAtRepublish);
        }
    }

    private PublishBench() {
    }

    public static List<Result> run(Config config, PrintStream log) throws IOException, InterruptedException {
        Files.createDirectories(config.workDir());
        Files.createDirectories(config.out());
        List<Result> results = new ArrayList<>();
        try {
            for (Workload w : config.workloads()) {
                results.add(runOne(config, w, log));
            }
        } finally {
            deleteStateDirs(config.workDir());
        }
        return results;
    }

    private static Result runOne(Config config, Workload w, PrintStream log) throws IOException, InterruptedException {
        Path tree = w.tree().toRealPath();
        int cores = Runtime.getRuntime().availableProcessors();
        String q = quote(tree.toString());
        long[] size = countFiles(tree);
        log.printf("bench publish: %s (%s): %,d files, %,d bytes%n", w.name(), tree, size[0], size[1]);
        List<Double> find = new ArrayList<>();
        List<Double> sha = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        Server server = null;
        try {
            for (int rep = 1; rep <= config.reps(); rep++) {
                prepare(config, q, cores);
                find.add(timed("find " + q + " -printf '%s %T@ %C@ %i %m %p\\n' > /dev/null"));
                prepare(config, q, cores);
                sha.add(timed("find " + q + " -type f -print0 | xargs -0 -P" + cores + " -n 64 sha256sum > /dev/null"));
                prepare(config, q, cores);
                if (server != null) {
                    server.stop();
                }
                server = Server.start(config, w.name() + "-" + rep, tree);
                first.add(server.lastPublishSeconds());
                log.printf("  rep %d: find %.3f s, sha256sum -P%d %.3f s, first publish %.3f s%n", rep,
                        find.get(rep - 1), cores, sha.get(rep - 1), first.get(rep - 1));
            }
            List<Double> findAgain = new ArrayList<>();
            List<Double> server1 = new ArrayList<>();
            List<Double> request = new ArrayList<>();
            List<Double> command = new ArrayList<>();
            Path edited = pickFileToEdit(tree);
            byte[] original = Files.readAllBytes(edited);
            try {
                republish(config, tree, q, cores, server, edited, findAgain, server1, request, command, log);
            } finally {
                Files.write(edited, original); // the tree's content as it was; only its times changed
            }
            return new Result(w.name(), tree.toString(), size[0], size[1], cores, find, sha, first, server1, request,
                    command, findAgain);
        } finally {
            if (server != null) {
                server.stop();
            }
        }
    }

    private static void republish(Config config, Path tree, String q, int cores, Server server, Path edited,
                                  List<Double> findAgain, List<Double> server1, List<Double> request,
                                  List<Double> command, PrintStream log) throws IOException, InterruptedException {
        for (int rep = 1; rep <= config.reps(); rep++) {
            prepare(config, q, cores);
            findAgain.add(timed("find " + q + " -printf '%s %T@ %C@ %i %m %p\\n' > /dev/null"));
            if (config.dropCaches()) {
                prepare(config, q, cores); // the find just read the metadata back in: drop it again
            }
            Files.writeString(edited, "# bench edit " + rep + " " + System.nanoTime() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            Proc.Result r = Proc.run(List.of(config.launcher().toString(), "publish", "--state-dir",
                    server.stateDir.toString()), Map.of(), 600).requireOk("stackshare publish");
            command.add(r.seconds());
            Matcher m = REQUEST_MS.matcher(r.out());
            request.add(m.find() ? Integer.parseInt(m.group(1)) / 1000.0 : Double.NaN);
            server1.add(server.lastPublishSeconds());
            log.printf("  re-publish %d after editing %s: server %.3f s, request %.3f s, command %.3f s; find %.3f s%n",
                    rep, tree.relativize(edited), server1.get(rep - 1), request.get(rep - 1), r.seconds(),
                    findAgain.get(rep - 1));
        }
    }

    /** A {@code stackshare serve} process with a state dir of its own. */
    private static final class Server {
        final Process process;
        final Path stateDir;
        final Path log;
        int published;

        private Server(Process process, Path stateDir, Path log) {
            this.process = process;
            this.stateDir = stateDir;
            this.log = log;
        }

        static Server start(Config config, String name, Path tree) throws IOException, InterruptedException {
            Path state = config.workDir().resolve("state-" + name);
            deleteTree(state);
            Path log = config.workDir().resolve("serve-" + name + ".log");
            Process p = new ProcessBuilder(config.launcher().toString(), "serve", "--root", tree.toString(),
                    "--listen", "127.0.0.1:0", "--state-dir", state.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Server s = new Server(p, state, log);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (!Files.exists(state.resolve("server.json")) || s.publishTimes().isEmpty()) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    s.stop();
                    throw new BenchException("stackshare serve did not start: " + Proc.tail(Files.readString(log)));
                }
                Thread.sleep(50);
            }
            return s;
        }

        List<Double> publishTimes() throws IOException {
            List<Double> times = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = PUBLISHED.matcher(line);
                if (m.find()) {
                    times.add(Integer.parseInt(m.group(2)) / 1000.0);
                }
            }
            return times;
        }

        /** The server's own figure for its newest publish (waits for the log line). */
        double lastPublishSeconds() throws IOException, InterruptedException {
            for (int i = 0; i < 200; i++) {
                List<Double> times = publishTimes();
                if (times.size() > published) {
                    published = times.size();
                    return times.get(times.size() - 1);
                }
                Thread.sleep(20);
            }
            throw new BenchException("no publish line in " + log);
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static void prepare(Config config, String quotedTree, int cores) throws IOException, InterruptedException {
        if (config.dropCaches()) {
            Proc.sh("sync && echo 3 > /proc/sys/vm/drop_caches", Map.of(), 120)
                    .requireOk("dropping the page cache (needs root)");
        } else {
            warm(quotedTree, cores);
        }
    }

    /** Reads every file once, so both sides of a comparison start from the same (warm) page cache. */
    private static void warm(String quotedTree, int cores) throws IOException, InterruptedException {
        Proc.sh("find " + quotedTree + " -type f -print0 | xargs -0 -P" + cores + " -n 256 cat > /dev/null", Map.of(),
                600).requireOk("warming the page cache");
    }

    private static double timed(String script) throws IOException, InterruptedException {
        return Proc.sh(script, Map.of(), 600).requireOk(script).seconds();
    }

    private static long[] countFiles(Path tree) throws IOException, InterruptedException {
        Proc.Result r = Proc.sh("find " + quote(tree.toString()) + " -type f -printf '%s\\n'", Map.of(), 600)
                .requireOk("counting files");
        long files = 0;
        long bytes = 0;
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                files++;
                bytes += Long.parseLong(line.strip());
            }
        }
        return new long[] {files, bytes};
    }

    /** A small .py (or any small file) deep in the tree: what a developer edits. */
    private static Path pickFileToEdit(Path tree) throws IOException {
        try (Stream<Path> files = Files.walk(tree)) {
            return files.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            && Files.isWritable(p))
                    .filter(p -> p.getFileName().toString().endsWith(".py"))
                    .skip(1000).findFirst()
                    .orElseThrow(() -> new BenchException("no writable .py file to edit in " + tree));
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The results as a Markdown section: medians, ratios against the targets, every run. */
    public static String markdown(List<Result> results, String commandLine, boolean dropCaches) {
        StringBuilder s = new StringBuilder();
        s.append("Command: `").append(commandLine).append("`. Page cache: ").append(dropCaches
                        ? "dropped before each timed command, for both sides"
                        : "warm for both sides (every file read just before each timed command)")
                .append(". Medians of ").append(results.isEmpty() ? 0
                        : results.get(0).find().size()).append(" runs.\n\n");
        s.append("| tree | files | bytes | `find -printf` | re-publish (server) | ÷ find (target < 2) | request | "
                + "`stackshare publish` | `sha256sum` ×cores | first publish | throughput ÷ sha256sum (target ≥ 0.7) |\n");
        s.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "| %s | %,d | %.2f GB | %.3f s | %.3f s | %.2f | %.3f s | %.3f s | "
                            + "%.2f s (%.0f MB/s) | %.2f s (%.0f MB/s) | %.2f |%n",
                    r.workload(), r.files(), r.bytes() / 1e9, median(r.findAtRepublish()), median(r.republishServer()),
                    r.republishOverFind(), median(r.republishRequest()), median(r.republishCommand()),
                    median(r.sha256sum()), r.bytes() / 1e6 / median(r.sha256sum()), median(r.firstPublish()),
                    r.bytes() / 1e6 / median(r.firstPublish()), r.firstPublishThroughputRatio()));
        }
        s.append("\nEvery run (seconds):\n\n");
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "- %s: find %s; sha256sum %s; first publish %s; find before re-publish %s; "
                            + "re-publish server %s, request %s, command %s%n", r.workload(), list(r.find()),
                    list(r.sha256sum()), list(r.firstPublish()), list(r.findAtRepublish()), list(r.republishServer()),
                    list(r.republishRequest()), list(r.republishCommand())));
        }
        return s.toString();
    }

    /** Writes {@code publish.md} and {@code publish.json} into the config's out dir. */
    public static void write(Config config, List<Result> results, String commandLine) throws IOException {
        Files.writeString(config.out().resolve("publish.md"), markdown(results, commandLine, config.dropCaches()),
                StandardCharsets.UTF_8);
        Files.writeString(config.out().resolve("publish.json"), Json.writePretty(Map.of("command", commandLine,
                "pageCache", config.dropCaches() ? "dropped" : "warm", "results", results)), StandardCharsets.UTF_8);
    }

    private static String list(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).reduce((a, b) -> a + ", " + b).orElse("");
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Deletes every server's state dir once the whole suite is done, not as each server stops: on
     * ext4 without a journal, creating files is slow for minutes after thousands were deleted
     * (each free inode is checked for a recent deletion), and the next first publish, which
     * creates a file per directory object, would pay for the bench's own clean-up.
     */
    private static void deleteStateDirs(Path workDir) throws IOException {
        try (java.util.stream.Stream<Path> dirs = Files.list(workDir)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                if (dir.getFileName().toString().startsWith("state-")) {
                    deleteTree(dir);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
