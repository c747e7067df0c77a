package dev.stackshare.cli;

import dev.stackshare.client.MountReport;
import dev.stackshare.client.MountReports;
import dev.stackshare.client.Mounts;
import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Lifecycle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show what stackshare is doing on this machine.",
            "",
            "On the developer's host (a server runs for --state-dir): its URL, roots, views and",
            "snapshots (how many nodes used in the last hour), open connections, objects and bytes",
            "served, and errors; the status page at the server's URL shows the same in a browser.",
            "",
            "On a batch node: this user's mounts, their snapshots, what each has fetched over the",
            "network and served from the caches (hit ratio), its failed fetches, and the node cache's",
            "size. Each mount process reports every 5 s into the cache dir (mounts/); a mount whose",
            "process is gone shows as stale.",
        })
final class StatusCommand implements Callable<Integer> {
    /** A report older than this (the process writes every 5 s) belongs to a process that is gone or stuck. */
    static final Duration STALE_AFTER = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "The node cache the mounts use (default: ${XDG_CACHE_HOME:-~/.cache}/stackshare).")
    Path cacheDir;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State dir of the developer's server (default: ${XDG_STATE_HOME:-~/.local/state}/stackshare).")
    Path stateDir;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    /** The developer's server as it answers: null fields where no server runs here. */
    record HostStatus(String url, List<String> roots, Map<String, String> views, List<Lifecycle.SnapshotSummary> snapshots,
                      long snapshotsUsedLastHour, Api.ServerStats stats) {
    }

    /** One mount on this node: what the kernel lists, with what its process last reported (absent if none). */
    record NodeMount(String mountpoint, String state, MountReport report, Double hitRatio) {
    }

    record CacheState(String path, long objects, long bytes) {
    }

    record NodeStatus(List<NodeMount> mounts, CacheState cache) {
    }

    record Report(HostStatus host, NodeStatus node) {
    }

    @Override
    public Integer call() throws IOException {
        Path cache = cacheDir == null ? Paths.defaultCacheDir() : Paths.absolute(cacheDir);
        Report report = new Report(host(), node(cache));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.writePretty(report));
        } else {
            print(out, report);
        }
        out.flush();
        return 0;
    }

    /** The local server, if one runs for the state dir; null otherwise (a batch node). */
    private HostStatus host() throws IOException {
        LocalServer.Found server;
        try {
            server = LocalServer.find(stateDir, Duration.ofSeconds(10));
        } catch (UserError noServer) {
            return null;
        }
        List<Lifecycle.SnapshotSummary> snapshots;
        Api.ServerStats stats;
        try {
            snapshots = server.client().snapshots();
            stats = server.client().stats();
        } catch (IOException e) {
            throw new UserError("the server of state dir " + (stateDir == null ? Paths.defaultStateDir() : stateDir)
                    + " (" + server.url() + ") does not answer: " + e.getMessage());
        }
        Map<String, String> views = new java.util.TreeMap<>();
        snapshots.forEach(s -> views.put(s.view(), s.id())); // oldest first: the newest of each view stays
        List<String> roots = snapshots.isEmpty() ? List.of() : snapshots.get(snapshots.size() - 1).roots();
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        long used = snapshots.stream().filter(s -> s.lastUsed() != null && s.lastUsed().isAfter(hourAgo)).count();
        return new HostStatus(server.url(), roots, views, snapshots, used, stats);
    }

    private NodeStatus node(Path cache) throws IOException {
        Map<String, MountReport> reports = Files.isDirectory(cache)
                ? MountReports.of(cache).readAll().stream().collect(Collectors.toMap(MountReport::mountpoint,
                        Function.identity(), (a, b) -> a.updatedAt().isAfter(b.updatedAt()) ? a : b))
                : Map.of();
        Instant now = Instant.now();
        List<NodeMount> mounts = new ArrayList<>();
        for (Path mountpoint : Mounts.ofCurrentUser()) {
            MountReport r = reports.get(mountpoint.toString());
            String state = r == null ? "no report (another cache dir, or an older stackshare)"
                    : Duration.between(r.updatedAt(), now).compareTo(STALE_AFTER) > 0
                            || ProcessHandle.of(r.pid()).isEmpty() ? "stale: its process is gone" : "live";
            mounts.add(new NodeMount(mountpoint.toString(), state, r, r == null ? null : r.hitRatio()));
        }
        return new NodeStatus(mounts, cacheState(cache));
    }

    private static CacheState cacheState(Path cache) throws IOException {
        Path objects = cache.resolve("objects");
        long count = 0;
        long bytes = 0;
        if (Files.isDirectory(objects)) {
            try (Stream<Path> files = Files.walk(objects)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    if (!f.getFileName().toString().startsWith(".")) {
                        count++;
                        bytes += Files.size(f);
                    }
                }
            }
        }
        return new CacheState(cache.toString(), count, bytes);
    }

    private static void print(PrintWriter out, Report report) {
        HostStatus host = report.host();
        if (host != null) {
            Api.ServerStats st = host.stats();
            out.printf("server %s%n", host.url());
            out.printf("  roots      %s%n", String.join(", ", host.roots()));
            out.printf("  views      %s%n", host.views().entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue())
                    .collect(Collectors.joining(", ")));
            out.printf("  snapshots  %d, %d used by a node in the last hour%n", host.snapshots().size(),
                    host.snapshotsUsedLastHour());
            out.printf("  clients    %,d connections open%n", st.openConnections());
            out.printf("  served     %,d requests, %,d objects, %s%n", st.requests(), st.objectsServed(),
                    Sizes.human(st.objectBytesServed()));
            out.printf("  errors     %,d refused (no or wrong token), %,d overloaded (503), %,d server errors (5xx)%n",
                    st.unauthorized(), st.overloaded(), st.serverErrors());
            out.println();
        }
        NodeStatus node = report.node();
        out.printf("node cache %s: %,d objects, %s%n", node.cache().path(), node.cache().objects(),
                Sizes.human(node.cache().bytes()));
        if (node.mounts().isEmpty()) {
            out.println("no stackshare mounts of yours on this node");
        }
        for (NodeMount m : node.mounts()) {
            out.printf("%nmount %s: %s%n", m.mountpoint(), m.state());
            Optional.ofNullable(m.report()).ifPresent(r -> {
                out.printf("  snapshot   %s from %s%n", r.snapshot(), String.join(", ", r.servers()));
                out.printf("  process    %d, up %s%n", r.pid(), Duration.between(r.startedAt(), r.updatedAt())
                        .withNanos(0).toString().substring(2).toLowerCase());
                out.printf("  fetched    %,d objects, %s over %,d requests%n", r.stats().objectsFetched(),
                        Sizes.human(r.stats().bytesFetched()), r.stats().requests());
                out.printf("  caches     %,d from memory, %,d from disk: hit ratio %.0f%%%n", r.stats().memoryCacheHits(),
                        r.stats().diskCacheHits(), 100 * r.hitRatio());
                out.printf("  failures   %,d fetches retried, %,d given up (reads failed with EIO), %,d sent again after 503%n",
                        r.stats().fetchRetries(), r.stats().fetchesGivenUp(), r.stats().overloadRetries());
            });
        }
    }
}
