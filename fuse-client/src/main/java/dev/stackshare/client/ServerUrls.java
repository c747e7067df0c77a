package dev.stackshare.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The servers a node asks, in order: HTTP caches first, the origin (the developer's
 * {@code stackshare serve}) last. Content (objects, trees, packs, directory batches, snapshot
 * records) may come from any of them, the first that answers; what must be current or changes
 * state (view look-ups, publish, trace uploads) goes to the origin only.
 *
 * <p>A server that failed (no connection, or a 5xx answer) is passed over until its back-off
 * ends, which doubles with each failure in a row, so a dead cache costs one failed connection
 * per back-off rather than one per read. When every server is backing off, all are tried in
 * order anyway: a read must not fail without asking anyone.
 */
final class ServerUrls {
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final List<String> bases;
    private final LongSupplier nanoTime;
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();

    /** How often in a row a server failed, and until when it is passed over. */
    private record Failure(int times, long untilNanos) {
    }

    ServerUrls(List<URI> servers) {
        this(servers, System::nanoTime);
    }

    /** @param nanoTime a monotonic clock, so tests control time */
    ServerUrls(List<URI> servers, LongSupplier nanoTime) {
        if (servers == null || servers.isEmpty()) {
            throw new IllegalArgumentException("at least one server URL is needed");
        }
        List<String> names = new ArrayList<>();
        for (URI server : servers) {
            if (server == null || server.getHost() == null
                    || !("http".equals(server.getScheme()) || "https".equals(server.getScheme()))) {
                throw new IllegalArgumentException("server must be an http:// or https:// URL with a host, got " + server);
            }
            String name = server.toString().replaceAll("/+$", "");
            if (names.contains(name)) {
                throw new IllegalArgumentException("server " + name + " is named twice");
            }
            names.add(name);
        }
        this.bases = List.copyOf(names);
        this.nanoTime = nanoTime;
    }

    /** The last URL: the server that publishes, resolves views and takes traces. */
    String origin() {
        return bases.get(bases.size() - 1);
    }

    List<String> all() {
        return bases;
    }

    /** Where to ask for content, in order: every server not backing off, or all when every one is. */
    List<String> forContent() {
        long now = nanoTime.getAsLong();
        List<String> ready = new ArrayList<>(bases.size());
        for (String base : bases) {
            Failure f = failures.get(base);
            if (f == null || now - f.untilNanos() >= 0) {
                ready.add(base);
            }
        }
        return ready.isEmpty() ? bases : ready;
    }

    /** Records a failure of {@code base}; answers how long it is now passed over. */
    Duration failed(String base) {
        Failure f = failures.compute(base, (k, old) -> {
            int times = old == null ? 1 : old.times() + 1;
            long backoff = Math.min(MAX_BACKOFF.toNanos(), FIRST_BACKOFF.toNanos() << Math.min(times - 1, 20));
            return new Failure(times, nanoTime.getAsLong() + backoff);
        });
        return Duration.ofNanos(Math.min(MAX_BACKOFF.toNanos(), FIRST_BACKOFF.toNanos() << Math.min(f.times() - 1, 20)));
    }

    /** {@code base} answered: its record of failures ends. */
    void answered(String base) {
        failures.remove(base);
    }
}
