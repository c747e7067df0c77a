package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Lifecycle;
import dev.stackshare.protocol.ProtocolException;
import dev.stackshare.protocol.SmallFiles;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What each endpoint answers, free of Netty: runs on a blocking thread, returns an {@link Answer}. */
final class ApiService {
    private static final Logger LOG = LoggerFactory.getLogger(ApiService.class);
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String NO_STORE = "no-store";
    private static final String JSON = "application/json";

    private final ObjectLookup lookup;
    private final FrozenStore store;
    private final SnapshotStore snapshots;
    private final Publisher publisher;
    private final String defaultView;
    private final Counters counters;
    private final SnapshotCatalog catalog;
    private final PackStore packs;

    ApiService(ObjectLookup lookup, FrozenStore store, SnapshotStore snapshots, Publisher publisher, String defaultView,
               Counters counters, SnapshotCatalog catalog) {
        this(lookup, store, snapshots, publisher, defaultView, counters, catalog, null);
    }

    /** @param packs where pack lists and built packs live, or null for no packs (404) */
    ApiService(ObjectLookup lookup, FrozenStore store, SnapshotStore snapshots, Publisher publisher, String defaultView,
               Counters counters, SnapshotCatalog catalog, PackStore packs) {
        this.packs = packs;
        this.lookup = lookup;
        this.store = store;
        this.snapshots = snapshots;
        this.publisher = publisher;
        this.defaultView = defaultView;
        this.counters = counters;
        this.catalog = catalog;
    }

    Answer answer(ApiRequest request) throws ApiError, IOException {
        counters.request(request);
        if (request instanceof ApiRequest.GetObject r) {
            return object(r.digest(), r.ifNoneMatch());
        } else if (request instanceof ApiRequest.Batch r) {
            return batch(r.body());
        } else if (request instanceof ApiRequest.GetPack r) {
            return pack(r.digest(), r.ifNoneMatch());
        } else if (request instanceof ApiRequest.GetDirFiles r) {
            return dirFiles(r);
        } else if (request instanceof ApiRequest.GetSnapshot r) {
            // A snapshot record never changes: an HTTP cache may keep it (views are what move).
            Snapshot s = snapshot(r.id());
            return new Answer.Full(200, JSON, Json.write(s), Map.of("Cache-Control", IMMUTABLE,
                    "ETag", "\"snapshot-" + s.id() + "\""));
        } else if (request instanceof ApiRequest.GetTree r) {
            Snapshot s = snapshot(r.id());
            counters.treesServed.increment();
            catalog.used(s.id());
            // The whole tree, never a difference against what one client holds, so the URL alone
            // names the answer and an HTTP cache can hand it to every node.
            return new Answer.Stream(Api.BATCH_CONTENT_TYPE, Map.of("Cache-Control", IMMUTABLE,
                    "ETag", "\"tree-" + s.id() + "\""), new TreeObjects(store, s.tree(), s.chunkSize()));
        } else if (request instanceof ApiRequest.GetTrace r) {
            snapshot(r.id());
            SnapshotStore.TraceFor found = snapshots.traceFor(r.id()).orElseThrow(() -> ApiError.notFound("no-trace",
                    "no trace was published for snapshot " + r.id() + " or an older snapshot of its view"
                            + "; mount it with --record-trace and run the job once"));
            List<Digest> trace = found.digests();
            if (packs != null) {
                packs.putList(trace); // a trace published before packs existed becomes a pack too
            }
            // A trace grows as jobs publish theirs: a shared cache must not keep an old one.
            return new Answer.Full(200, "text/plain", Digest.listText(trace),
                    Map.of("Cache-Control", NO_STORE, Api.TRACE_OF_HEADER, found.recordedOn()));
        } else if (request instanceof ApiRequest.PutTrace r) {
            snapshot(r.id());
            List<Digest> read = digests(r.body());
            for (Digest d : read) {
                if (!lookup.knows(d)) {
                    throw ApiError.badRequest("unknown-object", "the trace names object " + d.hex()
                            + ", which no published snapshot has");
                }
            }
            int size = snapshots.addTrace(r.id(), read, BatchStream.MAX_BATCH_DIGESTS);
            if (packs != null) {
                // The trace as GET .../trace now answers it, so a mount can ask for it as a pack.
                packs.putList(snapshots.trace(r.id()));
            }
            return json(200, Map.of("snapshot", r.id(), "objects", size), NO_STORE);
        } else if (request instanceof ApiRequest.GetView r) {
            Snapshot s = snapshots.view(r.name()).orElseThrow(() -> ApiError.notFound("unknown-view",
                    "no snapshot in view " + r.name() + " yet; publish one first"));
            return json(200, new Api.ViewAnswer(r.name(), s.id()), NO_STORE);
        } else if (request instanceof ApiRequest.Publish r) {
            if (r.follow()) {
                return followedPublish(viewOf(r.body()));
            }
            return json(200, publish(r.body()), NO_STORE);
        } else if (request instanceof ApiRequest.Metrics) {
            return metrics();
        } else if (request instanceof ApiRequest.Stats) {
            return json(200, counters.snapshot(snapshots.size()), NO_STORE);
        } else if (request instanceof ApiRequest.ListSnapshots) {
            return json(200, catalog.list(), NO_STORE);
        } else if (request instanceof ApiRequest.Gc r) {
            return json(200, gc(r.body()), NO_STORE);
        }
        throw new IllegalStateException("unrouted request " + request);
    }

    private Answer object(Digest digest, String ifNoneMatch) throws ApiError, IOException {
        String etag = "\"" + digest.hex() + "\"";
        Map<String, String> headers = Map.of("Cache-Control", IMMUTABLE, "ETag", etag);
        if (etag.equals(ifNoneMatch) && lookup.knows(digest)) {
            return new Answer.Full(304, null, new byte[0], headers);
        }
        byte[] frame;
        try {
            frame = lookup.frame(digest);
        } catch (ContentChangedException e) {
            throw new ApiError(409, "changed-since-publish", e.getMessage());
        }
        if (frame == null) {
            throw ApiError.notFound("not-found", "no published snapshot has object " + digest.hex());
        }
        counters.objectServed(digest, frame.length);
        return new Answer.Full(200, Api.OBJECT_CONTENT_TYPE, frame, headers);
    }

    private Answer pack(Digest digest, String ifNoneMatch) throws ApiError, IOException {
        String etag = "\"" + digest.hex() + "\"";
        Map<String, String> headers = Map.of("Cache-Control", IMMUTABLE, "ETag", etag);
        ItemSource items = null;
        if (packs != null) {
            if (etag.equals(ifNoneMatch) && packs.knows(digest)) {
                return new Answer.Full(304, null, new byte[0], headers);
            }
            items = packs.items(digest, lookup, counters);
        }
        if (items == null) {
            throw ApiError.notFound("unknown-pack", "no pack is named " + digest.hex()
                    + "; a pack is a stored list of digests, such as a published trace");
        }
        counters.batchRequests.increment();
        return new Answer.Stream(Api.BATCH_CONTENT_TYPE, headers, items);
    }

    /**
     * The GET form of a directory's batch: named by the directory object's digest (and the chunk
     * size that says which files are small), so every node opening that directory asks for the
     * same URL and an HTTP cache serves all but the first.
     */
    private Answer dirFiles(ApiRequest.GetDirFiles r) throws ApiError, IOException {
        String etag = "\"" + r.directory().hex() + "-" + r.chunkSize() + "\"";
        Map<String, String> headers = Map.of("Cache-Control", IMMUTABLE, "ETag", etag);
        if (etag.equals(r.ifNoneMatch()) && store.contains(r.directory())) {
            return new Answer.Full(304, null, new byte[0], headers);
        }
        Directory directory = directory(r.directory());
        counters.batchRequests.increment();
        return new Answer.Stream(Api.BATCH_CONTENT_TYPE, headers,
                new WholeItems(new BatchItems(SmallFiles.of(directory, r.chunkSize()), lookup, counters),
                        "directory " + r.directory().shortHex()));
    }

    /** A directory object of a published tree (directories always live in the frozen store). */
    private Directory directory(Digest digest) throws ApiError, IOException {
        byte[] frame = store.readFrame(digest);
        if (frame == null) {
            throw ApiError.notFound("unknown-directory", "no published snapshot has directory " + digest.hex());
        }
        try {
            byte[] raw = Compression.decompress(frame);
            if (!digest.matches(raw)) {
                throw new IOException("frozen object " + digest.hex() + " does not hash to its name");
            }
            return DirectoryCodec.decode(raw);
        } catch (ProtocolException e) {
            throw ApiError.notFound("not-a-directory", "object " + digest.hex() + " is not a directory");
        }
    }

    private Answer batch(byte[] body) throws ApiError {
        counters.batchRequests.increment();
        return new Answer.Stream(Api.BATCH_CONTENT_TYPE, Map.of("Cache-Control", NO_STORE),
                new BatchItems(digests(body), lookup, counters));
    }

    /** Hex digests one a line, at most {@link BatchStream#MAX_BATCH_DIGESTS}: a batch or a trace. */
    private static List<Digest> digests(byte[] body) throws ApiError {
        List<Digest> digests = new ArrayList<>();
        String text = new String(body, StandardCharsets.US_ASCII);
        int line = 0;
        for (String s : text.split("\n", -1)) {
            line++;
            String hex = s.strip();
            if (hex.isEmpty()) {
                continue;
            }
            if (digests.size() == BatchStream.MAX_BATCH_DIGESTS) {
                throw ApiError.badRequest("too-many-digests", "a batch names at most " + BatchStream.MAX_BATCH_DIGESTS
                        + " digests; split it");
            }
            try {
                digests.add(Digest.parse(hex));
            } catch (ProtocolException e) {
                throw ApiError.badRequest("bad-digest", "line " + line + ": " + e.getMessage());
            }
        }
        return digests;
    }

    private Snapshot snapshot(String id) throws ApiError {
        return snapshots.get(id).orElseThrow(() -> ApiError.notFound("unknown-snapshot",
                "no snapshot " + id + " on this server; list views with GET " + Api.VIEWS + Api.LATEST));
    }

    /** Body: empty, or {"view": "name"}. */
    private Snapshot publish(byte[] body) throws ApiError, IOException {
        String view = viewOf(body);
        try {
            return publisher.publish(view);
        } catch (ServerException e) {
            throw new ApiError(500, "publish-failed", e.getMessage());
        }
    }

    /**
     * The publish as a stream of {@link Api.PublishEvent} lines: progress while it runs, then the
     * snapshot or the error. Bad input was refused before this, with a plain error answer.
     */
    private Answer followedPublish(String view) {
        PublishProgress progress = new PublishProgress();
        return new Answer.Events(Api.EVENTS_CONTENT_TYPE, Map.of("Cache-Control", NO_STORE), new Answer.EventSource() {
            @Override
            public byte[] run() {
                Api.PublishEvent last;
                try {
                    Snapshot snapshot = publisher.publish(view, progress);
                    last = new Api.PublishEvent(progress.snapshot(), snapshot, null);
                } catch (ServerException e) {
                    last = new Api.PublishEvent(progress.snapshot(), null, new Api.ErrorBody("publish-failed",
                            e.getMessage()));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("publish failed", e);
                    last = new Api.PublishEvent(progress.snapshot(), null, new Api.ErrorBody("internal",
                            "the server failed to publish: " + e));
                }
                return line(last);
            }

            @Override
            public byte[] tick() {
                return line(new Api.PublishEvent(progress.snapshot(), null, null));
            }
        });
    }

    private static byte[] line(Api.PublishEvent event) {
        byte[] json = Json.write(event);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    private String viewOf(byte[] body) throws ApiError {
        String view = defaultView;
        if (body.length > 0) {
            try {
                PublishRequest r = Json.read(body, PublishRequest.class);
                if (r.view() != null) {
                    view = r.view();
                }
            } catch (ProtocolException e) {
                throw ApiError.badRequest("bad-request", "publish body must be empty or {\"view\": \"name\"}");
            }
        }
        try {
            Publisher.checkView(view);
        } catch (ServerException e) {
            throw ApiError.badRequest("bad-view", e.getMessage());
        }
        return view;
    }

    private Lifecycle.GcReport gc(byte[] body) throws ApiError, IOException {
        Lifecycle.GcRequest request;
        try {
            request = Json.read(body, Lifecycle.GcRequest.class);
        } catch (ProtocolException e) {
            throw ApiError.badRequest("bad-request", "gc body must be {\"keep\": N, \"olderThanSeconds\": S, "
                    + "\"force\": false, \"dryRun\": false}");
        }
        try {
            return catalog.gc(request);
        } catch (ServerException e) {
            throw ApiError.badRequest("bad-gc", e.getMessage());
        }
    }

    /** Body of POST /v1/snapshots. */
    record PublishRequest(String view) {
    }

    /** Walking the frozen store is not free: its size is measured at most once a minute. */
    private static final long STORE_SIZE_TTL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    private volatile long storeBytes = -1;
    private volatile long storeMeasuredAt;

    private Answer metrics() throws IOException {
        Api.ServerStats s = counters.snapshot(snapshots.size());
        long now = System.nanoTime();
        if (storeBytes < 0 || now - storeMeasuredAt > STORE_SIZE_TTL_NANOS) {
            storeBytes = store.storedBytes();
            storeMeasuredAt = now;
        }
        Runtime runtime = Runtime.getRuntime();
        PrometheusText text = new PrometheusText()
                .counter("stackshare_requests_total", "HTTP requests answered, refused ones included.", s.requests())
                .counter("stackshare_requests_by_kind_total", "Authorised requests by what they asked for.", "kind",
                        s.requestsByKind())
                .counter("stackshare_unauthorized_total", "Requests refused for a missing or wrong token.", s.unauthorized())
                .counter("stackshare_objects_served_total", "Objects sent, alone or in batches.", s.objectsServed())
                .counter("stackshare_object_bytes_served_total", "Bytes of objects sent (compressed frames).",
                        s.objectBytesServed())
                .counter("stackshare_trees_served_total", "Snapshot trees sent to mounts.", s.treesServed())
                .counter("stackshare_overloaded_total", "Requests refused with 503 (too many in flight).", s.overloaded())
                .counter("stackshare_server_errors_total", "Answers with a 5xx status.", s.serverErrors())
                .counter("stackshare_stalled_connections_total", "Connections closed because their client stopped reading.",
                        counters.stalledAnswers.sum())
                .gauge("stackshare_open_connections", "Client connections open now.", s.openConnections())
                .histogram("stackshare_request_seconds", "Time from a request to the head of its answer.",
                        counters.latency.snapshot());
        if (publisher != null) {
            text.histogram("stackshare_publish_seconds", "How long publishes took.", publisher.durations())
                    .gauge("stackshare_last_publish_seconds", "How long the last publish took.",
                            Math.max(0, publisher.lastPublishMillis()) / 1000.0);
        }
        text.gauge("stackshare_snapshots", "Snapshots kept.", s.snapshots())
                .gauge("stackshare_frozen_store_bytes", "Bytes of the frozen store on disk (measured each minute).", storeBytes)
                .gauge("stackshare_heap_used_bytes", "Java heap in use.", runtime.totalMemory() - runtime.freeMemory())
                .gauge("stackshare_heap_max_bytes", "Java heap the server may use.", runtime.maxMemory());
        return new Answer.Full(200, PrometheusText.CONTENT_TYPE, text.text().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Cache-Control", NO_STORE));
    }

    static Answer.Full json(int status, Object value, String cacheControl) {
        return new Answer.Full(status, JSON, Json.write(value), Map.of("Cache-Control", cacheControl));
    }

    /** Says nothing about what was asked; no-store so no shared cache keeps it for a request that has the token. */
    static Answer.Full unauthorized() {
        return new Answer.Full(401, JSON, Json.write(new Api.ErrorBody("unauthorized",
                "missing or wrong bearer token; use the token in the server's state dir (file token)")),
                Map.of("WWW-Authenticate", "Bearer", "Cache-Control", NO_STORE));
    }

    /** Too many requests in flight: nothing was done, so the client may send it again after the wait. */
    static Answer.Full overloaded(int maxInFlight, int retryAfterSeconds) {
        return new Answer.Full(503, JSON, Json.write(new Api.ErrorBody(Api.OVERLOADED, "the server is busy with "
                + maxInFlight + " requests, its bound; retry after " + retryAfterSeconds + " s")),
                Map.of("Retry-After", Integer.toString(retryAfterSeconds), "Cache-Control", NO_STORE));
    }

    static Answer.Full error(int status, String code, String message) {
        return json(status, new Api.ErrorBody(code, message), NO_STORE);
    }
}
