package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running stackshare server: the roots, the state dir, a first snapshot and the HTTP API.
 *
 * <pre>{@code
 * try (StackshareServer server = StackshareServer.start(config)) {
 *     System.out.println(server.url() + " " + server.firstSnapshot().id());
 *     ...
 * }
 * }</pre>
 */
public final class StackshareServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StackshareServer.class);
    /** The publish index in the state dir ({@link PublishIndex}). */
    static final String INDEX_FILE = "index";
    private static final long FIRST_PUBLISH_LOG_SECONDS = 3;
    /** The URL fragment that carries the certificate pin ({@code dev.stackshare.client.TlsPin} reads it). */
    static final String PIN_PREFIX = "sha256=";

    private final StateDir state;
    private final FileLock lock;
    private final List<AutoCloseable> resources;
    private final Publisher publisher;
    private final SnapshotStore snapshots;
    private final Counters counters;
    private final Snapshot first;
    private final URI url;
    private final int port;
    private final String defaultView;
    private StableLocations stable;
    private volatile boolean closed;

    private StackshareServer(StateDir state, FileLock lock, List<AutoCloseable> resources, Publisher publisher,
                             SnapshotStore snapshots, Counters counters, Snapshot first, URI url, int port,
                             String defaultView) {
        this.state = state;
        this.lock = lock;
        this.resources = resources;
        this.publisher = publisher;
        this.snapshots = snapshots;
        this.counters = counters;
        this.first = first;
        this.url = url;
        this.port = port;
        this.defaultView = defaultView;
    }

    /**
     * Checks the roots, opens the state dir, makes old snapshots servable again, publishes a first
     * snapshot, then listens. A problem the user can fix is a {@link ServerException}.
     */
    public static StackshareServer start(ServerConfig config) throws IOException {
        return start(config, Chunking.DEFAULT_CHUNK_SIZE);
    }

    static StackshareServer start(ServerConfig config, int chunkSize) throws IOException {
        RootSet roots = RootSet.of(config.roots());
        Publisher.checkView(config.view());
        PathBytes.checkEncoding();
        StateDir state = StateDir.open(config.stateDir());
        FileLock lock = state.lock();
        // Closed in reverse order on failure or close: listener first, then the threads behind it.
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            String token = state.loadOrCreateToken();
            ServerTls tls = config.tls() == null ? null : ServerTls.of(config.tls(), state.path().resolve("tls"));
            FrozenStore store = FrozenStore.open(state.objectsDir());
            SnapshotStore snapshots = SnapshotStore.open(state.snapshotsDir(), state.viewsDir());
            StableLocations stable = new StableLocations();
            reindex(snapshots, store, stable);

            int cpus = Runtime.getRuntime().availableProcessors();
            // Two readers a core: with a cold page cache reads wait on the disk, which serves several at once.
            ExecutorService hashing = Executors.newFixedThreadPool(2 * cpus, threads("stackshare-hash"));
            resources.add(() -> stop(hashing));
            // lstat-bound: its own threads, so the walk (and with it the progress totals) never queues behind reads.
            ExecutorService walking = Executors.newFixedThreadPool(cpus, threads("stackshare-walk"));
            resources.add(() -> stop(walking));
            // Requests block on disk reads, and a publish or gc holds a thread throughout: keep spares.
            ExecutorService blocking = Executors.newFixedThreadPool(Math.max(8, 4 * cpus), threads("stackshare-io"));
            resources.add(() -> stop(blocking));
            // Look-ups are small and in memory: two threads that never wait behind object reads.
            ExecutorService lookups = Executors.newFixedThreadPool(2, threads("stackshare-lookup"));
            resources.add(() -> stop(lookups));

            TreeScanner scanner = new TreeScanner(new FileHasher(chunkSize, FileHasher.ReadListener.NONE), store,
                    walking, hashing, Set.of(state.path().toRealPath()), Excludes.of(config.excludes()));
            // Closed (and so its last write finished) after the pools, before the state dir is let go.
            ExecutorService afterPublish = Executors.newSingleThreadExecutor(threads("stackshare-after-publish"));
            resources.add(0, () -> stop(afterPublish));
            Publisher publisher = new Publisher(roots, scanner, store, stable, snapshots, chunkSize, Clock.systemUTC(),
                    new SecureRandom(), config.environment(), state.path().resolve(INDEX_FILE),
                    PublishIndex.Clock.fileSystem(state.path()), afterPublish);
            Snapshot first = firstPublish(publisher, config.view());
            warmUpInBackground(publisher);

            HeapGauge heap = HeapGauge.start();
            resources.add(heap);
            Counters counters = new Counters(heap);
            InFlightLimit limit = InFlightLimit.fromProperty();
            SnapshotUsage usage = SnapshotUsage.open(state.path().resolve("usage"), Clock.systemUTC());
            SnapshotCatalog catalog = new SnapshotCatalog(snapshots, store, usage,
                    new GarbageCollector(snapshots, store, stable, usage, publisher.lock(), Clock.systemUTC()));
            ApiService service = new ApiService(new ObjectLookup(store, stable,
                    StableFrameCache.open(state.path().resolve("stable-frames"), StableFrameCache.boundFromProperty())), store, snapshots, publisher,
                    config.view(), counters, catalog, PackStore.open(state.path().resolve("packs")));
            HttpServerBootstrap http = HttpServerBootstrap.bind(config.listen(),
                    new ApiInitializer(token, service, blocking, lookups, limit, counters, tls == null ? null : tls.context()));
            resources.add(http);
            InetSocketAddress bound = http.localAddress();
            URI url = urlOf(config.listen(), bound.getPort(), tls == null ? null : tls.fingerprint());
            state.writeServerInfo(new StateDir.ServerInfo(url.toString(), ProcessHandle.current().pid()));
            LOG.info("listening on {} (bound {}), serving {} roots, first snapshot {}, state dir {}, at most {} data "
                    + "requests in flight", url, bound, roots.paths().size(), first.id(), state.path(), limit.max());
            StackshareServer server = new StackshareServer(state, lock, resources, publisher, snapshots, counters, first, url,
                    bound.getPort(), config.view());
            server.stable = stable;
            return server;
        } catch (IOException | RuntimeException | Error e) {
            closeAll(resources);
            lock.channel().close();
            throw e;
        }
    }

    /** The first publish can take minutes on a big stack with no index yet: say how far it got, every few seconds. */
    private static Snapshot firstPublish(Publisher publisher, String view) throws IOException {
        PublishProgress progress = new PublishProgress();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(threads("stackshare-progress"));
        try {
            timer.scheduleAtFixedRate(() -> LOG.info("publishing: {}", ProgressText.line(progress.snapshot())),
                    FIRST_PUBLISH_LOG_SECONDS, FIRST_PUBLISH_LOG_SECONDS, TimeUnit.SECONDS);
            return publisher.publish(view, progress);
        } finally {
            timer.shutdownNow();
        }
    }

    /**
     * See {@link Publisher#warmUp}; a publish request meanwhile waits for it (a fraction of a
     * second). The native lstat is loaded first, so the warm-up compiles the path later publishes take.
     */
    private static void warmUpInBackground(Publisher publisher) {
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            try {
                // Loaded after the first publish, not during it: its set-up takes a core for 0.2 s.
                FileStat.NativeLstat.load();
                publisher.warmUp();
                LOG.debug("warmed up the publish path in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            } catch (IOException | RuntimeException e) {
                LOG.debug("publish warm-up stopped: {}", e.toString()); // only speed is lost
            }
        }, "stackshare-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Old snapshots' stable chunks, found again by walking their trees; a broken one is logged, not fatal. */
    private static void reindex(SnapshotStore snapshots, FrozenStore store, StableLocations stable) {
        LocationIndexer indexer = new LocationIndexer(store, stable);
        for (Snapshot s : snapshots.all()) {
            try {
                indexer.index(s);
            } catch (IOException e) {
                LOG.warn("snapshot {} cannot be fully served: {}", s.id(), e.getMessage());
            }
        }
    }

    /**
     * The URL a batch node should use. A wildcard listen address (0.0.0.0, ::) says nothing a node
     * could dial, so the host's canonical name stands in for it (127.0.0.1 if the host has no
     * resolvable name); otherwise the host as the user gave it, name or literal.
     */
    static URI urlOf(InetSocketAddress listen, int port) {
        return urlOf(listen, port, null);
    }

    /**
     * With a TLS fingerprint the URL is {@code https://host:port/#sha256=HEX}: the pin travels with
     * the URL into job scripts, and a fragment is never sent to the server or to an HTTP cache.
     */
    static URI urlOf(InetSocketAddress listen, int port, String fingerprint) {
        String host;
        InetAddress address = listen.getAddress();
        if (address != null && address.isAnyLocalAddress()) {
            try {
                host = InetAddress.getLocalHost().getCanonicalHostName();
            } catch (UnknownHostException e) {
                host = "127.0.0.1";
            }
        } else {
            host = listen.getHostString();
        }
        try {
            return fingerprint == null ? new URI("http", null, host, port, null, null, null)
                    : new URI("https", null, host, port, "/", null, PIN_PREFIX + fingerprint);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot make a URL of host " + host, e);
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void stop(ExecutorService executor) throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("while shutting down: {}", e.toString());
            }
        }
    }

    /**
     * {@code http://host:port} with the port actually bound, or {@code https://host:port/#sha256=HEX}
     * with TLS (the fingerprint of the server's certificate, which clients pin). For a wildcard listen address
     * (0.0.0.0 or ::) the host is this machine's canonical name, which batch nodes can resolve;
     * 127.0.0.1 if the machine has none. Otherwise it is the host as given to {@code --listen}.
     */
    public URI url() {
        return url;
    }

    public int port() {
        return port;
    }

    public Path tokenFile() {
        return state.tokenFile();
    }

    /** Stable chunks read from their source files since start (tests: a cached frame reads none). */
    long stableSourceReads() {
        return stable.sourceReads();
    }

    public Snapshot firstSnapshot() {
        return first;
    }

    /** Takes a snapshot now, as {@code POST /v1/snapshots} does; null view means the configured one. */
    public Snapshot publish(String view) throws IOException {
        if (closed) {
            throw new ServerException("the server is stopped; start it again to publish");
        }
        return publisher.publish(view == null ? defaultView : view);
    }

    public Api.ServerStats stats() {
        return counters.snapshot(snapshots.size());
    }

    /** Stops listening, lets answers in flight finish, removes {@code server.json} and frees the state dir. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(resources);
        try {
            state.deleteServerInfo();
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", state.serverInfoFile(), e.toString());
        }
        try {
            lock.channel().close();
        } catch (IOException e) {
            LOG.warn("cannot release the state dir lock: {}", e.toString());
        }
        LOG.info("stopped serving {}", url);
    }
}
