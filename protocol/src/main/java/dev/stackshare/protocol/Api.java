package dev.stackshare.protocol;

import java.util.List;
import java.util.Map;

/**
 * The HTTP API both sides speak. Every request carries {@code Authorization: Bearer TOKEN}.
 *
 * <pre>
 * GET  /v1/objects/{digest}        one object, zstd frame; immutable, cacheable forever
 * POST /v1/objects:batch           body: one hex digest per line; answer: a {@link BatchStream}
 * GET  /v1/snapshots/{id}          the {@link Snapshot} record (JSON)
 * GET  /v1/snapshots/{id}/tree     every directory object of the snapshot, as a {@link BatchStream}
 * GET  /v1/snapshots/{id}/trace    the objects recorded jobs read from it: hex digests one a line, first reads first
 * PUT  /v1/snapshots/{id}/trace    body: a job's trace (hex digests one a line), merged into the snapshot's
 * GET  /v1/views/{name}            {@link ViewAnswer} (JSON, never cached); "latest" is the newest snapshot
 * POST /v1/snapshots               publish the server's roots now; answer: the new {@link Snapshot};
 *                                  with "Accept: application/x-ndjson" a stream of {@link PublishEvent} lines
 * GET  /v1/packs/{digest}         the batch stream of the objects a stored digest list names (the list's
 *                                  digest; e.g. a trace, as GET .../trace answers it), in its order;
 *                                  immutable, with an ETag, so any HTTP cache may keep it
 * GET  /v1/dirs/{digest}/files/{chunkSize}  the batch stream of a directory's small files ({@link SmallFiles});
 *                                  immutable, with an ETag: the GET form of a directory's batch
 * GET  /v1/stats                   {@link ServerStats} (JSON): counters, for tests and status
 * GET  /metrics                    the same and more in Prometheus' text format (request and publish
 *                                  latency histograms, frozen-store size, heap)
 * GET  /                           the status page (HTML; a login form until the browser has the
 *                                  session cookie that POST /login with the token sets)
 * </pre>
 * Errors are JSON {@link ErrorBody} with a stable code.
 */
public final class Api {
    public static final String OBJECTS = "/v1/objects/";
    public static final String BATCH = "/v1/objects:batch";
    public static final String PACKS = "/v1/packs/";
    /** {@code DIRS + digest + DIR_FILES + chunkSize}: a directory's small files ({@link SmallFiles}). */
    public static final String DIRS = "/v1/dirs/";
    public static final String DIR_FILES = "/files/";
    public static final String SNAPSHOTS = "/v1/snapshots";
    public static final String VIEWS = "/v1/views/";
    public static final String STATS = "/v1/stats";
    public static final String METRICS = "/metrics";
    public static final String TREE_SUFFIX = "/tree";
    public static final String TRACE_SUFFIX = "/trace";
    /**
     * On {@code GET .../trace}: the snapshot the trace was recorded on, which is the asked one or,
     * when it has none yet, the newest older snapshot of its view that has one.
     */
    public static final String TRACE_OF_HEADER = "X-Stackshare-Trace-Of";
    public static final String LATEST = "latest";
    public static final String DEFAULT_VIEW = "default";
    public static final String BEARER = "Bearer ";
    public static final String OBJECT_CONTENT_TYPE = "application/zstd";
    public static final String BATCH_CONTENT_TYPE = "application/x-stackshare-batch";
    /**
     * Ask for this type ({@code Accept}) on {@code POST /v1/snapshots} to follow a publish: the
     * answer is then newline-delimited JSON, one {@link PublishEvent} a line, a progress line
     * about every {@link #PROGRESS_INTERVAL_MS} ms and last the snapshot or the error. The status
     * is 200 once the publish has started, so a failure after that is told by the error line.
     */
    public static final String EVENTS_CONTENT_TYPE = "application/x-ndjson";
    public static final int PROGRESS_INTERVAL_MS = 200;
    /** Largest request body the server reads (a batch of {@link BatchStream#MAX_BATCH_DIGESTS} digests). */
    public static final int MAX_REQUEST_BODY = BatchStream.MAX_BATCH_DIGESTS * 65;

    private Api() {
    }

    /** Answer of a view look-up. */
    public record ViewAnswer(String view, String snapshot) {
    }

    /** Body of every error answer; {@code code} is stable, {@code message} is for a person. */
    public record ErrorBody(String code, String message) {
    }

    /**
     * How far a publish has got. Files are {@code seen} when the walk stats them, {@code toHash}
     * when the index cannot vouch for them and they must be read, {@code hashed} once read;
     * {@code frozen} counts new objects written to the store (compressed bytes). {@code walked}
     * says every root has been listed, so the {@code toHash} totals are final. {@code leftOut}
     * names the entries left out of the snapshot so far, each "path: why".
     */
    public record PublishProgress(boolean walked, long filesSeen, long bytesSeen, long filesToHash,
                                  long bytesToHash, long filesHashed, long bytesHashed, long objectsFrozen,
                                  long bytesFrozen, long elapsedMillis, List<String> leftOut) {
        /** At most this many left-out entries are named; the count in the log is complete. */
        public static final int MAX_LEFT_OUT = 100;

        public PublishProgress {
            leftOut = leftOut == null ? List.of() : List.copyOf(leftOut);
        }
    }

    /**
     * One line of a followed publish: a progress line has only {@code progress}; the last line
     * has the {@code snapshot} or the {@code error}, with the final {@code progress}.
     */
    public record PublishEvent(PublishProgress progress, Snapshot snapshot, ErrorBody error) {
    }

    /**
     * Counters the server keeps since it started. {@code objectsServed} counts every object frame
     * sent (alone or in a stream); {@code distinctObjectsServed} how many different digests those
     * were, and {@code objectsServedAgain} the frames that repeated an earlier one, both exact
     * while {@code perObjectCountsComplete} (the server tracks a bounded number of digests).
     * {@code requestsByKind} counts authorised requests by what they asked for ("GetObject",
     * "Batch", "GetPack", "GetDirFiles", "GetTree", "GetSnapshot", "GetView", ...).
     * {@code overloaded} counts requests refused with 503 (too many in flight); the heap figures
     * are the server JVM's: used now, the highest used seen (sampled every {@link #HEAP_SAMPLE_MS}
     * ms, so a shorter spike can be missed) and its bound ({@code -Xmx}). {@code openConnections}
     * are the client connections open now; {@code serverErrors} the answers with a 5xx status.
     */
    public record ServerStats(long requests, long objectsServed, long objectBytesServed, long treesServed,
                              long batchRequests, long unauthorized, long snapshots, long distinctObjectsServed,
                              long objectsServedAgain, boolean perObjectCountsComplete,
                              Map<String, Long> requestsByKind, long overloaded, long heapUsedBytes,
                              long heapPeakUsedBytes, long heapMaxBytes, long openConnections, long serverErrors) {
        public ServerStats {
            requestsByKind = requestsByKind == null ? Map.of() : Map.copyOf(requestsByKind);
        }

        /** Counters without the per-object, overload and heap figures (a server that does not report them). */
        public ServerStats(long requests, long objectsServed, long objectBytesServed, long treesServed,
                           long batchRequests, long unauthorized, long snapshots) {
            this(requests, objectsServed, objectBytesServed, treesServed, batchRequests, unauthorized, snapshots,
                    0, 0, true, Map.of(), 0, 0, 0, 0, 0, 0);
        }
    }

    /** How often the server samples its heap for {@link ServerStats#heapPeakUsedBytes}. */
    public static final int HEAP_SAMPLE_MS = 20;

    /**
     * The stable error code of a request refused because the server has too many in flight:
     * status 503 with a {@code Retry-After} header (seconds); nothing was done, so any request
     * may be sent again after that wait.
     */
    public static final String OVERLOADED = "overloaded";
}
