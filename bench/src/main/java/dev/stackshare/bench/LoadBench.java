package dev.stackshare.bench;

import dev.stackshare.client.ColdStart;
import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Many nodes cold-starting one snapshot at once, on loopback: the tool starts the origin
 * ({@code stackshare serve} in its own JVM, heap bounded at {@link #SERVER_HEAP}), then runs
 * {@code clients} {@link ColdStart}s at once, each with its own empty cache, against the origin
 * and then through each HTTP cache given. Each run is bounded by a time limit; a client still
 * working then counts as failed. What the origin did comes from its {@code /v1/stats}.
 */
public final class LoadBench {
    public static final int DEFAULT_CLIENTS = 200;
    /** The origin's fixed heap: it must stay responsive within it however many nodes start. */
    public static final String SERVER_HEAP = "512m";
    /** Each client's memory cache: small, since two hundred of them share this JVM; the disk cache holds the rest. */
    static final long CLIENT_MEMORY_CACHE_BYTES = 8L * 1024 * 1024;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_FAILURES_LISTED = 10;

    /**
     * @param launcher    the {@code stackshare} launcher that serves
     * @param roots       what the origin serves
     * @param listen      where the origin listens (loopback); a fixed port lets an HTTP cache point at it
     * @param through     URLs of HTTP caches in front of the origin, one run each (loopback)
     * @param files       the working set (absolute paths in the snapshot, in open order, each whole or a prefix);
     *                    empty for every file whole up to {@code maxFiles}
     * @param maxInFlight the origin's in-flight bound ({@code -Dstackshare.maxInFlight}), 0 for its default
     * @param timeLimit   per run
     * @param workDir     scratch: the origin's state dir and the clients' caches (removed after each run)
     */
    public record Config(Path launcher, List<Path> roots, String listen, List<URI> through, int clients,
                         List<ColdStart.FileRead> files, int maxFiles, int maxInFlight, Duration timeLimit, Path workDir,
                         Path out) {
        public Config {
            roots = List.copyOf(roots);
            through = List.copyOf(through);
            files = List.copyOf(files);
            if (roots.isEmpty()) {
                throw new BenchException("give at least one tree to serve");
            }
            if (clients < 1 || clients > 10_000) {
                throw new BenchException("clients must be 1 to 10000, got " + clients);
            }
            if (maxFiles < 1) {
                throw new BenchException("max files must be at least 1, got " + maxFiles);
            }
            if (maxInFlight < 0) {
                throw new BenchException("max in flight must be 0 (the server's default) or more, got " + maxInFlight);
            }
            if (timeLimit.isNegative() || timeLimit.isZero()) {
                throw new BenchException("the time limit must be positive, got " + timeLimit);
            }
            for (URI u : through) {
                requireLoopback(u.getHost(), "--server " + u);
            }
            requireLoopback(listen.substring(0, Math.max(0, listen.lastIndexOf(':'))), "--listen " + listen);
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(out, "out");
        }
    }

    /**
     * One run: {@code clients} cold starts at once against {@code url}.
     *
     * @param finished         clients that read their whole working set
     * @param exact            of those, clients whose every chunk hashed to its digest
     * @param objectsFetched   objects all clients fetched over the network (tree objects included)
     * @param bytesRead        file bytes all clients read (verified)
     * @param objectsPerSecond objectsFetched over the run's wall time
     * @param mbPerSecond      bytesRead (MB, 10^6) over the run's wall time
     * @param p50Ms            median time for an object to arrive, from its request (or its batch's)
     * @param originRequests   requests the origin counted during the run (503s included)
     * @param refused503       requests the origin refused with 503 during the run
     * @param overloadRetries  requests the clients sent again after a 503
     * @param viewLookups      view look-ups the probe had answered during the run; {@code viewLookupMaxMs} the slowest
     * @param heapPeakBytes    the origin's highest heap use since it started (sampled)
     */
    public record Run(String target, String url, int clients, int finished, int exact, List<String> failures,
                      double seconds, long filesRead, long chunksRead, long bytesRead, long objectsFetched,
                      long wireBytes, double objectsPerSecond, double mbPerSecond, double p50Ms, double p99Ms,
                      long latencySamples, long originRequests, long originObjectsServed, long refused503,
                      long overloadRetries, long viewLookups, long viewLookupsFailed, double viewLookupMaxMs,
                      long heapPeakBytes, long heapMaxBytes) {
        public boolean allExact() {
            return exact == clients;
        }
    }

    private LoadBench() {
    }

    /** Starts the origin, runs the load against it and through each cache, stops it. */
    public static List<Run> run(Config config, PrintStream log) throws IOException, InterruptedException {
        Path work = config.workDir();
        Files.createDirectories(work);
        Path state = work.resolve("origin-state");
        deleteTree(state);
        String javaOpts = "-Xmx" + SERVER_HEAP
                + (config.maxInFlight() > 0 ? " -Dstackshare.maxInFlight=" + config.maxInFlight() : "");
        log.printf("bench load: serving %s with %s%n", config.roots(), javaOpts);
        List<Run> runs = new ArrayList<>();
        try (StackshareHost origin = StackshareHost.start(config.launcher(), config.roots(), state, config.listen(),
                Map.of("STACKSHARE_JAVA_OPTS", javaOpts))) {
            Map<String, URI> targets = new LinkedHashMap<>();
            targets.put("origin", origin.url());
            for (URI cache : config.through()) {
                targets.put("through " + cache, cache);
            }
            for (Map.Entry<String, URI> t : targets.entrySet()) {
                log.printf("bench load: %d clients against %s (%s)%n", config.clients(), t.getKey(), t.getValue());
                Run run = runOnce(config, origin, t.getKey(), t.getValue(), work.resolve("clients"));
                log.printf("bench load: %d/%d finished, %d exact, %.1f s, %,.0f objects/s, p99 %.1f ms, %d 503s, "
                                + "%d retries%n", run.finished(), run.clients(), run.exact(), run.seconds(),
                        run.objectsPerSecond(), run.p99Ms(), run.refused503(), run.overloadRetries());
                runs.add(run);
            }
        } finally {
            deleteTree(state);
        }
        return runs;
    }

    private static Run runOnce(Config config, StackshareHost origin, String target, URI url, Path cachesDir)
            throws IOException, InterruptedException {
        deleteTree(cachesDir);
        Files.createDirectories(cachesDir);
        Latencies latencies = new Latencies();
        Api.ServerStats before = origin.stats();
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService clients = Executors.newFixedThreadPool(config.clients(), r -> {
            Thread t = new Thread(r, "bench-load-client");
            t.setDaemon(true);
            return t;
        });
        List<Future<ColdStart.Result>> results = new ArrayList<>();
        for (int i = 0; i < config.clients(); i++) {
            ColdStart.Options options = new ColdStart.Options(url, origin.token(), Api.LATEST,
                    cachesDir.resolve("client-" + i), config.files(), config.maxFiles(), CLIENT_MEMORY_CACHE_BYTES,
                    REQUEST_TIMEOUT);
            results.add(clients.submit(() -> {
                gate.await();
                return ColdStart.run(options, latencies::add);
            }));
        }
        List<ColdStart.Result> done = new ArrayList<>();
        Map<String, Integer> failures = new LinkedHashMap<>();
        long started;
        long ended;
        try (ViewProbe probe = new ViewProbe(origin.url(), origin.token())) {
            started = System.nanoTime();
            gate.countDown();
            long deadline = started + config.timeLimit().toNanos();
            for (Future<ColdStart.Result> f : results) {
                try {
                    done.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    failures.merge("did not finish within " + config.timeLimit().toSeconds() + " s", 1, Integer::sum);
                } catch (ExecutionException e) {
                    failures.merge(String.valueOf(e.getCause().getMessage()), 1, Integer::sum);
                }
            }
            ended = System.nanoTime();
            clients.shutdownNow();
            probe.close();
            Api.ServerStats after = origin.stats();
            return summary(config, target, url, done, failures, (ended - started) / 1e9, latencies, before, after,
                    probe);
        } finally {
            clients.shutdownNow();
            clients.awaitTermination(30, TimeUnit.SECONDS);
            deleteTree(cachesDir);
        }
    }

    private static Run summary(Config config, String target, URI url, List<ColdStart.Result> done,
                               Map<String, Integer> failures, double seconds, Latencies latencies,
                               Api.ServerStats before, Api.ServerStats after, ViewProbe probe) {
        long files = 0;
        long chunks = 0;
        long bytes = 0;
        long objects = 0;
        long wire = 0;
        long retries = 0;
        int exact = 0;
        for (ColdStart.Result r : done) {
            files += r.files();
            chunks += r.chunks();
            bytes += r.bytes();
            objects += r.objectsFetched();
            wire += r.wireBytes();
            retries += r.overloadRetries();
            if (r.wrongChunks() == 0) {
                exact++;
            } else {
                failures.merge(r.wrongChunks() + " chunks with wrong bytes", 1, Integer::sum);
            }
        }
        List<String> listed = failures.entrySet().stream().limit(MAX_FAILURES_LISTED)
                .map(e -> e.getValue() + " clients: " + e.getKey()).toList();
        return new Run(target, url.toString(), config.clients(), done.size(), exact, listed, round(seconds), files,
                chunks, bytes, objects, wire, round(objects / seconds), round(bytes / 1e6 / seconds),
                round(latencies.percentileMillis(50)), round(latencies.percentileMillis(99)), latencies.count(),
                after.requests() - before.requests(), after.objectsServed() - before.objectsServed(),
                after.overloaded() - before.overloaded(), retries, probe.answered(), probe.failed(),
                round(probe.slowestMillis()), after.heapPeakUsedBytes(), after.heapMaxBytes());
    }

    /** The results as a Markdown section: how it was run, then one row a run. */
    public static String markdown(List<Run> runs, String commandLine, Config config) {
        StringBuilder s = new StringBuilder();
        s.append("Command: `").append(commandLine).append("`\n\n");
        s.append(String.format(Locale.ROOT, "%d clients, each with its own empty cache, cold-start snapshot `latest` "
                        + "at once: view look-up, tree, then %s with the mount's directory batches and read-ahead; "
                        + "origin heap -Xmx%s, in-flight bound %s; time limit %d s a run.%n%n", config.clients(),
                config.files().isEmpty() ? "up to " + config.maxFiles() + " files in tree order"
                        : Math.min(config.files().size(), config.maxFiles()) + " files of the working set",
                SERVER_HEAP, config.maxInFlight() == 0 ? "default (64)" : String.valueOf(config.maxInFlight()),
                config.timeLimit().toSeconds()));
        s.append("| target | clients finished / exact | wall s | objects/s | MB/s | p50 ms | p99 ms "
                + "| origin requests | origin objects | 503s | retries | slowest view look-up ms "
                + "| origin heap peak / max MiB |\n");
        s.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Run r : runs) {
            s.append(String.format(Locale.ROOT, "| %s | %d/%d / %d | %.1f | %,.0f | %.1f | %.1f | %.1f | %,d | %,d "
                            + "| %,d | %,d | %.1f (%d answered, %d failed) | %d / %d |%n", r.target(), r.finished(),
                    r.clients(), r.exact(), r.seconds(), r.objectsPerSecond(), r.mbPerSecond(), r.p50Ms(), r.p99Ms(),
                    r.originRequests(), r.originObjectsServed(), r.refused503(), r.overloadRetries(),
                    r.viewLookupMaxMs(), r.viewLookups(), r.viewLookupsFailed(), r.heapPeakBytes() >> 20,
                    r.heapMaxBytes() >> 20));
        }
        for (Run r : runs) {
            for (String f : r.failures()) {
                s.append("\n- ").append(r.target()).append(": ").append(f);
            }
        }
        return s.append('\n').toString();
    }

    /** Writes load.md and load.json to the config's out dir. */
    public static void write(Config config, List<Run> runs, String commandLine) throws IOException {
        Files.createDirectories(config.out());
        Files.writeString(config.out().resolve("load.md"), markdown(runs, commandLine, config), StandardCharsets.UTF_8);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", commandLine);
        json.put("clients", config.clients());
        json.put("serverHeap", "-Xmx" + SERVER_HEAP);
        json.put("maxInFlight", config.maxInFlight());
        json.put("workingSetFiles", config.files().isEmpty() ? config.maxFiles()
                : Math.min(config.files().size(), config.maxFiles()));
        json.put("runs", runs);
        Files.writeString(config.out().resolve("load.json"), Json.writePretty(json), StandardCharsets.UTF_8);
    }

    /** Reads a results file back (tests). */
    public static List<Run> read(Path loadJson) throws IOException {
        Results r = Json.read(Files.readAllBytes(loadJson), Results.class);
        return r.runs();
    }

    /** The part of load.json tests read back. */
    record Results(List<Run> runs) {
    }

    private static void requireLoopback(String host, String what) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        try {
            if (!h.isEmpty() && InetAddress.getByName(h).isLoopbackAddress()) {
                return;
            }
        } catch (UnknownHostException e) {
            // refused below
        }
        throw new BenchException(what + ": the load test runs on loopback only (127.0.0.1, ::1, localhost)");
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
