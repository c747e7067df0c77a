package dev.stackshare.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.SmallFiles;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A tiny in-test stackshare server on 127.0.0.1: fixed objects and snapshots, a token, counted requests. */
final class FakeServer implements AutoCloseable {
    static final String TOKEN = "s3cret-token";

    final Map<Digest, byte[]> frames = new ConcurrentHashMap<>();
    final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    final Map<String, String> views = new ConcurrentHashMap<>();
    /** Whether a directory's small files ({@code GET /v1/dirs/...}) are answered only in part, cut off. */
    volatile boolean cutDirectoryAnswers;
    /** "METHOD path" of every request, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** The next this many requests are refused as an overloaded server does: 503, Retry-After: 0. */
    final java.util.concurrent.atomic.AtomicInteger refuseOverloaded = new java.util.concurrent.atomic.AtomicInteger();
    /** Whether a refusal carries Retry-After. */
    volatile boolean retryAfter = true;
    private final HttpServer http;
    private TestSnapshot tree;

    FakeServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::handle);
        http.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    /** Serves every object of a test snapshot, and the snapshot under its id and as "latest". */
    FakeServer serve(TestSnapshot objects, Snapshot snapshot) {
        this.tree = objects;
        objects.objects.forEach((d, raw) -> frames.put(d, Compression.compress(raw)));
        snapshots.put(snapshot.id(), snapshot);
        views.put(Api.LATEST, snapshot.id());
        return this;
    }

    long requests(String prefix) {
        return requests.stream().filter(r -> r.startsWith(prefix)).count();
    }

    @Override
    public void close() {
        http.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            requests.add(method + " " + path);
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!(Api.BEARER + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                error(exchange, 401, "unauthorized", "missing or wrong token");
                return;
            }
            if (refuseOverloaded.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                if (retryAfter) {
                    exchange.getResponseHeaders().set("Retry-After", "0");
                }
                error(exchange, 503, Api.OVERLOADED, "the server is busy");
                return;
            }
            if (path.startsWith(Api.OBJECTS)) {
                byte[] frame = frames.get(new Digest(path.substring(Api.OBJECTS.length())));
                if (frame == null) {
                    error(exchange, 404, "unknown-object", "no such object");
                } else {
                    send(exchange, 200, frame);
                }
            } else if (path.startsWith(Api.DIRS)) {
                String[] parts = path.substring(Api.DIRS.length()).split(Api.DIR_FILES);
                byte[] raw = tree.objects.get(new Digest(parts[0]));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (Digest d : SmallFiles.of(DirectoryCodec.decode(raw), Integer.parseInt(parts[1]))) {
                    BatchStream.write(out, d, frames.get(d));
                }
                byte[] answer = out.toByteArray();
                if (cutDirectoryAnswers) {
                    exchange.sendResponseHeaders(200, answer.length);
                    exchange.getResponseBody().write(answer, 0, answer.length / 2);
                    exchange.getResponseBody().flush();
                    throw new IOException("cut off on purpose"); // the exchange closes the connection mid-body
                }
                send(exchange, 200, answer);
            } else if (path.equals(Api.BATCH)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (String line : new String(body, StandardCharsets.US_ASCII).split("\n")) {
                    if (!line.isBlank()) {
                        Digest d = new Digest(line.strip());
                        BatchStream.write(out, d, frames.get(d));
                    }
                }
                send(exchange, 200, out.toByteArray());
            } else if (path.startsWith(Api.SNAPSHOTS + "/") && path.endsWith(Api.TREE_SUFFIX)) {
                String id = path.substring(Api.SNAPSHOTS.length() + 1, path.length() - Api.TREE_SUFFIX.length());
                if (!snapshots.containsKey(id)) {
                    error(exchange, 404, "unknown-snapshot", "no snapshot " + id);
                    return;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (Digest d : tree.metadata) {
                    BatchStream.write(out, d, frames.get(d));
                }
                send(exchange, 200, out.toByteArray());
            } else if (path.startsWith(Api.SNAPSHOTS + "/")) {
                Snapshot s = snapshots.get(path.substring(Api.SNAPSHOTS.length() + 1));
                if (s == null) {
                    error(exchange, 404, "unknown-snapshot", "no such snapshot");
                } else {
                    send(exchange, 200, Json.write(s));
                }
            } else if (path.equals(Api.SNAPSHOTS) && method.equals("POST")) {
                send(exchange, 200, Json.write(snapshots.get(views.get(Api.LATEST))));
            } else if (path.startsWith(Api.VIEWS)) {
                String name = path.substring(Api.VIEWS.length());
                String id = views.get(name);
                if (id == null) {
                    error(exchange, 404, "unknown-view", "no view " + name);
                } else {
                    send(exchange, 200, Json.write(new Api.ViewAnswer(name, id)));
                }
            } else if (path.equals(Api.STATS)) {
                send(exchange, 200, Json.write(new Api.ServerStats(requests.size(), 0, 0, 0, 0, 0, snapshots.size(), 0, 0, true, Map.of(), 0, 0, 0, 0, 0, 0)));
            } else {
                error(exchange, 404, "not-found", "no route " + path);
            }
        }
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        send(exchange, status, Json.write(new Api.ErrorBody(code, message)));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
