package dev.stackshare.client;

import dev.stackshare.client.HttpTransport.Answer;
import dev.stackshare.client.HttpTransport.Call;
import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Lifecycle;
import dev.stackshare.protocol.ProtocolException;
import dev.stackshare.protocol.Snapshot;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks the stackshare HTTP API ({@link Api}) to one server, or to several in order (HTTP
 * caches first, the origin last; see {@link ServerUrls}). Every failure becomes a
 * {@link ClientException} whose message says what to do about it.
 *
 * <p>All requests go through {@link #send}: content requests ({@link Route#CONTENT}) go to the
 * first server that answers, passing to the next on a connection failure or a 5xx answer;
 * the rest go to the origin.
 */
public final class ServerClient {
    private static final Logger log = LoggerFactory.getLogger(ServerClient.class);
    /** Tries per idempotent request when the connection fails; a server that answers is never retried. */
    private static final int ATTEMPTS = 3;
    private static final long FIRST_BACKOFF_MS = 100;
    /** Most bytes of an error body worth reading. */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** Which servers may answer a request. */
    enum Route {
        /** Immutable content or a read any server passes on: the first server that answers. */
        CONTENT,
        /** Views, publish, trace uploads, stats, gc: only the origin is current. */
        ORIGIN
    }

    /** Receives the items of a batch or tree answer as they arrive. */
    @FunctionalInterface
    interface ItemSink {
        void accept(BatchStream.Item item) throws IOException;
    }

    private final ServerUrls urls;
    /** The origin's URL, for messages about requests only it answers. */
    private final String name;
    private final Duration timeout;
    private final Counters counters;
    private final HttpTransport http;
    private final OverloadRetry overload = new OverloadRetry();

    public ServerClient(URI server, String token, Duration timeout) {
        this(server, token, timeout, new Counters());
    }

    ServerClient(URI server, String token, Duration timeout, Counters counters) {
        this(server == null ? List.of() : List.of(server), token, timeout, counters);
    }

    /** @param servers in the order to ask them: HTTP caches first, the origin last */
    public ServerClient(List<URI> servers, String token, Duration timeout) {
        this(servers, token, timeout, new Counters());
    }

    ServerClient(List<URI> servers, String token, Duration timeout, Counters counters) {
        // The pin travels in a URL's fragment; requests and messages use the URLs without it.
        this(new ServerUrls(servers == null ? null : servers.stream()
                .map(u -> u == null ? null : TlsPin.withoutFragment(u)).toList()), pinOf(servers), token, timeout, counters);
    }

    ServerClient(ServerUrls urls, String token, Duration timeout, Counters counters) {
        this(urls, null, token, timeout, counters);
    }

    /**
     * The origin's pin (its URL's {@code #sha256=} fragment), or null. Only the origin may carry
     * one: the client has one TLS context, and caches in front are usually plain HTTP on the
     * cluster's network; an https cache must then present the origin's certificate.
     */
    private static TlsPin pinOf(List<URI> servers) {
        if (servers == null || servers.isEmpty() || servers.stream().anyMatch(java.util.Objects::isNull)) {
            return null; // refused by ServerUrls with its own message
        }
        for (URI cache : servers.subList(0, servers.size() - 1)) {
            if (TlsPin.of(cache) != null) {
                throw new IllegalArgumentException("only the origin (the last --server URL) may carry a #sha256= pin, got "
                        + TlsPin.withoutFragment(cache));
            }
        }
        URI origin = servers.get(servers.size() - 1);
        TlsPin pin = TlsPin.of(origin);
        if (pin != null && !"https".equals(origin.getScheme())) {
            throw new IllegalArgumentException("a #sha256= pin needs an https:// URL, got " + TlsPin.withoutFragment(origin));
        }
        return pin;
    }

    private ServerClient(ServerUrls urls, TlsPin pin, String token, Duration timeout, Counters counters) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the token is empty");
        }
        if (token.strip().chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("the token holds spaces or control characters");
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.urls = urls;
        this.name = urls.origin();
        this.timeout = timeout;
        this.counters = counters;
        // Without a pin, https trusts the JVM's CAs and checks the host name.
        this.http = new HttpTransport(Api.BEARER + token.strip(), timeout,
                pin == null ? null : pin.sslContext().getSocketFactory());
    }

    /** The origin (the last URL given). */
    public URI server() {
        return URI.create(name);
    }

    /** Every server URL, in the order they are asked for content. */
    public List<URI> servers() {
        return urls.all().stream().map(URI::create).toList();
    }

    /**
     * The snapshot record for an id, or for the newest snapshot of a view. An id is fetched
     * directly; anything else is resolved through {@code /v1/views/} first.
     */
    public Snapshot snapshot(String idOrViewName) throws IOException {
        if (Snapshot.isId(idOrViewName)) {
            return snapshotById(idOrViewName);
        }
        if (!Snapshot.isViewName(idOrViewName)) {
            throw new ClientException(ClientException.BAD_NAME, "'" + idOrViewName
                    + "' is neither a snapshot id (16 hex digits) nor a view name; `stackshare publish` prints ids");
        }
        byte[] body = getBytes(Route.ORIGIN, Api.VIEWS + idOrViewName, "view " + idOrViewName, idOrViewName);
        Api.ViewAnswer answer = parse(body, Api.ViewAnswer.class, "view " + idOrViewName);
        if (!Snapshot.isId(answer.snapshot())) {
            throw new ClientException(ClientException.BAD_ANSWER, "server " + name + " resolved view "
                    + idOrViewName + " to '" + answer.snapshot() + "', which is not a snapshot id");
        }
        return snapshotById(answer.snapshot());
    }

    /** Asks the server to take a new snapshot of its roots now; {@code view} may be null for the default view. */
    public Snapshot publish(String view) throws IOException {
        String what = "publish" + (view == null ? "" : " to view " + view);
        byte[] body = bytes(publishCall(view), false, Route.ORIGIN, what, view);
        return parse(body, Snapshot.class, "the published snapshot");
    }

    private static Call publishCall(String view) {
        byte[] body = view == null ? new byte[0] : Json.write(Map.of("view", view));
        return Call.post(Api.SNAPSHOTS, "application/json", body);
    }

    /**
     * Publishes like {@link #publish(String)}, and hands each progress report the server streams
     * ({@link Api#EVENTS_CONTENT_TYPE}) to {@code progress} as it arrives, on this thread; the
     * last call has the final counts.
     */
    public Snapshot publish(String view, Consumer<Api.PublishProgress> progress) throws IOException {
        String what = "publish" + (view == null ? "" : " to view " + view);
        Answer response = send(publishCall(view).accepting(Api.EVENTS_CONTENT_TYPE), false, Route.ORIGIN);
        try (InputStream in = response.body()) {
            if (response.status() != 200) {
                check(response, in.readNBytes(MAX_ERROR_BODY), what, view);
            }
            String type = response.header("Content-Type").orElse("");
            if (!type.startsWith(Api.EVENTS_CONTENT_TYPE)) {
                // An older server answers the plain record.
                return parse(in.readAllBytes(), Snapshot.class, "the published snapshot");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                Api.PublishEvent event = parse(line.getBytes(StandardCharsets.UTF_8), Api.PublishEvent.class,
                        "publish progress");
                if (event.progress() != null) {
                    progress.accept(event.progress());
                }
                if (event.snapshot() != null) {
                    return event.snapshot();
                }
                if (event.error() != null) {
                    throw new ClientException(event.error().code() == null ? ClientException.BAD_ANSWER
                            : event.error().code(), "server " + name + " could not " + what + ": "
                            + event.error().message());
                }
            }
        } catch (IOException e) {
            if (e instanceof ClientException) {
                throw e;
            }
            throw new ClientException(ClientException.NETWORK, "server " + name + " stopped answering during the "
                    + what + ": " + e.getMessage(), e);
        }
        throw new ClientException(ClientException.BAD_ANSWER, "server " + name + " ended its answer to the " + what
                + " before the snapshot; see the server's log");
    }

    public Api.ServerStats stats() throws IOException {
        return parse(getBytes(Route.ORIGIN, Api.STATS, "stats", null), Api.ServerStats.class, "stats");
    }

    /** Every snapshot the server keeps, oldest first. */
    public List<Lifecycle.SnapshotSummary> snapshots() throws IOException {
        byte[] body = getBytes(Route.ORIGIN, Api.SNAPSHOTS, "the snapshot list", null);
        return List.of(parse(body, Lifecycle.SnapshotSummary[].class, "the snapshot list"));
    }

    /** Removes old snapshots and the objects only they needed (or, with dryRun, says what it would remove). */
    public Lifecycle.GcReport gc(Lifecycle.GcRequest gc) throws IOException {
        byte[] body = bytes(Call.post(Lifecycle.GC, "application/json", Json.write(gc)), false, Route.ORIGIN, "gc", null);
        return parse(body, Lifecycle.GcReport.class, "the gc report");
    }

    /** One object as the server sends it: a zstd frame, neither inflated nor verified here. */
    byte[] object(Digest digest) throws IOException {
        byte[] frame = getBytes(Route.CONTENT, Api.OBJECTS + digest.hex(), "object " + digest.shortHex(), digest.hex());
        counters.objectFetched();
        return frame;
    }

    /** Fetches many objects in one request; the sink sees every item, missing ones included. */
    void batch(Collection<Digest> digests, ItemSink sink) throws IOException {
        Call call = Call.post(Api.BATCH, "text/plain", Digest.listText(digests));
        stream(call, "batch of " + digests.size() + " objects", null, sink);
    }

    /**
     * The small files of a directory ({@link dev.stackshare.protocol.SmallFiles}) in one GET
     * named by the directory's digest, which HTTP caches keep; false when the server predates it
     * (404 or 405), and the sink then saw nothing.
     */
    boolean dirFiles(Digest directory, int chunkSize, ItemSink sink) throws IOException {
        Call call = Call.get(Api.DIRS + directory.hex() + Api.DIR_FILES + chunkSize);
        return stream(call, "small files of directory " + directory.shortHex(), null, sink, true);
    }

    /** Every directory and chunk-list object of a snapshot, in one request. */
    void tree(String snapshotId, ItemSink sink) throws IOException {
        stream(Call.get(Api.SNAPSHOTS + "/" + snapshotId + Api.TREE_SUFFIX), "tree of snapshot " + snapshotId, snapshotId, sink);
    }

    /**
     * The objects a recorded job read from this snapshot, first reads first, or an empty list
     * when no trace was published for it (or the server predates traces).
     */
    List<Digest> trace(String snapshotId) throws IOException {
        Answer response = send(Call.get(tracePath(snapshotId)), true, Route.CONTENT);
        byte[] body = readAll(response);
        if (response.status() == 404) {
            return List.of();
        }
        check(response, body, "trace of snapshot " + snapshotId, snapshotId);
        List<Digest> digests = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.US_ASCII).split("\n")) {
            if (!line.isBlank()) {
                try {
                    digests.add(Digest.parse(line.strip()));
                } catch (ProtocolException e) {
                    throw new ClientException(ClientException.BAD_ANSWER, "server " + name + " sent a broken trace of snapshot "
                            + snapshotId + ": " + e.getMessage(), e);
                }
            }
        }
        return digests;
    }

    /** Publishes the objects a job read from this snapshot, so later mounts of it can fetch them up front. */
    void putTrace(String snapshotId, List<Digest> digests) throws IOException {
        Call call = Call.put(tracePath(snapshotId), "text/plain", Digest.listText(digests));
        bytes(call, true, Route.ORIGIN, "publishing the trace of snapshot " + snapshotId, snapshotId);
    }

    private static String tracePath(String snapshotId) {
        return Api.SNAPSHOTS + "/" + snapshotId + Api.TRACE_SUFFIX;
    }

    private Snapshot snapshotById(String id) throws IOException {
        byte[] body = getBytes(Route.CONTENT, Api.SNAPSHOTS + "/" + id, "snapshot " + id, id);
        Snapshot snapshot = parse(body, Snapshot.class, "snapshot " + id);
        if (!snapshot.id().equals(id)) {
            throw new ClientException(ClientException.BAD_ANSWER, "server " + name + " answered snapshot "
                    + snapshot.id() + " when asked for " + id);
        }
        return snapshot;
    }

    private byte[] getBytes(Route route, String path, String what, String subject) throws IOException {
        byte[] body = bytes(Call.get(path), true, route, what, subject);
        if (path.startsWith(Api.OBJECTS)) {
            counters.bytesFetched(body.length);
        }
        return body;
    }

    /** Sends a call and reads its whole answer, which must be a 200. */
    private byte[] bytes(Call call, boolean idempotent, Route route, String what, String subject) throws IOException {
        Answer response = send(call, idempotent, route);
        byte[] body = readAll(response);
        check(response, body, what, subject);
        return body;
    }

    private byte[] readAll(Answer response) throws ClientException {
        try {
            return response.readAll();
        } catch (IOException e) {
            throw HttpFailures.connection(response.server(), timeout, e);
        }
    }

    /**
     * The objects of a pack ({@code GET /v1/packs/{digest}}, the digest of a stored digest list
     * such as a trace), in the list's order; false when the server knows no such pack (or
     * predates packs), and the sink then saw nothing.
     */
    boolean pack(Digest pack, ItemSink sink) throws IOException {
        counters.packRequest();
        return stream(Call.get(Api.PACKS + pack.hex()), "pack " + pack.shortHex(), null, sink, true);
    }

    private void stream(Call call, String what, String subject, ItemSink sink) throws IOException {
        stream(call, what, subject, sink, false);
    }

    private boolean stream(Call call, String what, String subject, ItemSink sink, boolean absentIsFalse)
            throws IOException {
        Answer response = send(call, true, Route.CONTENT);
        try (InputStream body = new CountingStream(response.body(), counters)) {
            if (absentIsFalse && (response.status() == 404 || response.status() == 405)) {
                body.readNBytes(MAX_ERROR_BODY);
                return false;
            }
            if (response.status() != 200) {
                check(response, body.readNBytes(MAX_ERROR_BODY), what, subject);
            }
            BatchStream.Reader reader = new BatchStream.Reader(body);
            for (BatchStream.Item item = reader.next(); item != null; item = reader.next()) {
                if (!item.missing()) {
                    counters.objectFetched();
                }
                sink.accept(item);
            }
        } catch (ProtocolException e) {
            throw new ClientException(ClientException.BAD_ANSWER, "server " + response.server() + " sent a broken answer to "
                    + what + ": " + e.getMessage(), e);
        }
        return true;
    }

    /** Sends one request, retrying idempotent ones with backoff while no server can be reached. */
    private Answer send(Call call, boolean idempotent, Route route) throws ClientException {
        long backoff = FIRST_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                return route == Route.ORIGIN ? sendTo(name, call) : sendForContent(call);
            } catch (ClientException e) {
                boolean retry = idempotent && attempt < ATTEMPTS
                        && (ClientException.UNREACHABLE.equals(e.code()) || ClientException.NETWORK.equals(e.code()));
                if (!retry) {
                    throw e;
                }
                log.debug("{} {} failed ({}); retrying in {} ms", call.method(), call.path(), e.getMessage(), backoff);
                sleep(backoff);
                backoff *= 3;
            }
        }
    }

    /**
     * Asks each server for content in turn ({@link ServerUrls#forContent}) until one answers
     * without a 5xx; the last one's answer (or failure) is final. A failed server backs off.
     */
    private Answer sendForContent(Call call) throws ClientException {
        List<String> order = urls.forContent();
        for (int i = 0; ; i++) {
            String base = order.get(i);
            boolean last = i == order.size() - 1;
            Answer response;
            try {
                response = sendTo(base, call);
            } catch (ClientException e) {
                boolean connection = ClientException.UNREACHABLE.equals(e.code()) || ClientException.NETWORK.equals(e.code());
                if (connection && order.size() > 1) {
                    backOff(base, e.getMessage(), last ? null : order.get(i + 1));
                }
                if (!connection || last) {
                    throw e;
                }
                continue;
            }
            if (response.status() < 500 || order.size() == 1) {
                urls.answered(base);
                return response;
            }
            backOff(base, "HTTP " + response.status(), last ? null : order.get(i + 1));
            if (last) {
                return response;
            }
            discard(response);
        }
    }

    private void backOff(String base, String why, String next) {
        Duration pause = urls.failed(base);
        log.warn("server {} failed ({}); {} passed over for {} s", base, why,
                next == null ? "it is" : "asking " + next + " instead, and it is", pause.toSeconds());
    }

    /**
     * One request to one server ({@code base}: the URL before {@code /v1/...}). A 503 with
     * {@code Retry-After} (that server is overloaded and did nothing) is sent again after the wait
     * {@link OverloadRetry} gives, up to its bound, then returned like any other answer.
     */
    private Answer sendTo(String base, Call call) throws ClientException {
        for (int retries = 0; ; retries++) {
            counters.request();
            Answer response;
            try {
                response = http.send(base, call);
            } catch (IOException e) {
                throw HttpFailures.connection(base, timeout, e);
            }
            var wait = overload.waitMillis(response.status(), response.header("Retry-After"), retries);
            if (wait.isEmpty() || retries == OverloadRetry.MAX_RETRIES) {
                return response;
            }
            discard(response);
            counters.overloadRetry();
            log.debug("{} {}{}: server overloaded (503); retrying in {} ms", call.method(), base, call.path(), wait.get());
            sleep(wait.get());
        }
    }

    /** Drops a failed answer's body, so its connection can be closed or reused. */
    private static void discard(Answer response) {
        try {
            response.close();
        } catch (IOException e) {
            log.debug("closing a failed answer: {}", e.toString());
        }
    }

    private static void check(Answer response, byte[] body, String what, String subject) throws ClientException {
        if (response.status() != 200) {
            throw HttpFailures.status(response.server(), response.status(), body, what, subject);
        }
    }

    private <T> T parse(byte[] body, Class<T> type, String what) throws ClientException {
        try {
            return Json.read(body, type);
        } catch (ProtocolException e) {
            throw new ClientException(ClientException.BAD_ANSWER, "server " + name + " sent a " + what
                    + " answer this client cannot read (" + e.getMessage() + "); are client and server the same version?", e);
        }
    }

    private static void sleep(long millis) throws ClientException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(ClientException.INTERRUPTED, "interrupted while retrying", e);
        }
    }

    /** Counts the wire bytes of a streamed body. */
    private static final class CountingStream extends FilterInputStream {
        private final Counters counters;

        CountingStream(InputStream in, Counters counters) {
            super(in);
            this.counters = counters;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counters.bytesFetched(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                counters.bytesFetched(n);
            }
            return n;
        }
    }
}
