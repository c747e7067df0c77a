package dev.stackshare.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What to mount where.
 *
 * @param servers          the server URLs in the order to ask them for content: HTTP caches first, the origin
 *                         (the server's own URL, e.g. {@code http://devhost:7878}) last; see {@link ServerClient}
 * @param token            the bearer token the server printed at {@code serve}
 * @param snapshot         a snapshot id, or a view name (such as {@code latest}) resolved at mount
 * @param cacheDir         the node's disk cache, shared by mounts; see {@link Mounter#defaultCacheDir()}
 * @param mountpoint       an existing, empty directory
 * @param memoryCacheBytes bound of the in-memory object cache, or {@link #MEMORY_CACHE_FITTED}
 * @param cacheSizeBytes   bound of the node's disk cache; least recently used objects go first when it is passed
 * @param recordTrace      record which objects the job reads and publish that trace for the snapshot at unmount
 * @param prefetchTrace    fetch the snapshot's published trace (if any) in one batch while the job starts
 * @param fetchDeadline    how long a read waits for an object the caches lack (retrying with back-off while
 *                         the server is away) before it fails with EIO; see {@link #DEFAULT_FETCH_DEADLINE}
 */
public record MountOptions(List<URI> servers, String token, String snapshot, Path cacheDir, Path mountpoint,
                           long memoryCacheBytes, long cacheSizeBytes, boolean recordTrace, boolean prefetchTrace,
                           Duration fetchDeadline) {
    /**
     * The default {@code memoryCacheBytes}: a bound fitted to the heap the snapshot's metadata
     * leaves ({@link MemoryBudget}), so that a job's working set stays in memory where the heap
     * has room for it and a million-file snapshot's metadata still fits.
     */
    public static final long MEMORY_CACHE_FITTED = -1;
    /** Default bound of the node's disk cache: 10 GiB. */
    public static final long DEFAULT_CACHE_SIZE_BYTES = 10L * 1024 * 1024 * 1024;
    /**
     * Long enough to ride out a restart of the developer's server (a job then pauses instead of
     * failing), short enough that a job whose server is gone for good fails within minutes.
     */
    public static final Duration DEFAULT_FETCH_DEADLINE = Duration.ofSeconds(120);

    public MountOptions {
        if (servers == null || servers.isEmpty() || servers.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("no server URL given");
        }
        servers = List.copyOf(servers);
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("no token given");
        }
        if (snapshot == null || snapshot.isBlank()) {
            throw new IllegalArgumentException("no snapshot id or view name given");
        }
        if (cacheDir == null) {
            throw new IllegalArgumentException("no cache directory given");
        }
        if (mountpoint == null) {
            throw new IllegalArgumentException("no mountpoint given");
        }
        if (memoryCacheBytes < 0 && memoryCacheBytes != MEMORY_CACHE_FITTED) {
            throw new IllegalArgumentException("memory cache size must be >= 0 bytes, got " + memoryCacheBytes);
        }
        if (cacheSizeBytes <= 0) {
            throw new IllegalArgumentException("disk cache size must be > 0 bytes, got " + cacheSizeBytes);
        }
        if (fetchDeadline == null || fetchDeadline.isNegative() || fetchDeadline.isZero()) {
            throw new IllegalArgumentException("fetch deadline must be positive, got " + fetchDeadline);
        }
    }

    /** Options with the default disk cache bound, prefetching a published trace, recording none. */
    public MountOptions(URI server, String token, String snapshot, Path cacheDir, Path mountpoint, long memoryCacheBytes) {
        this(server == null ? null : List.of(server), token, snapshot, cacheDir, mountpoint, memoryCacheBytes);
    }

    /** Options with the default disk cache bound, prefetching a published trace, recording none. */
    public MountOptions(List<URI> servers, String token, String snapshot, Path cacheDir, Path mountpoint,
                        long memoryCacheBytes) {
        this(servers, token, snapshot, cacheDir, mountpoint, memoryCacheBytes, DEFAULT_CACHE_SIZE_BYTES, false, true,
                DEFAULT_FETCH_DEADLINE);
    }

    /** The origin: the last URL, the server that publishes and resolves views. */
    public URI server() {
        return servers.get(servers.size() - 1);
    }

    public MountOptions withCacheSize(long bytes) {
        return new MountOptions(servers, token, snapshot, cacheDir, mountpoint, memoryCacheBytes, bytes, recordTrace,
                prefetchTrace, fetchDeadline);
    }

    public MountOptions withTrace(boolean record, boolean prefetch) {
        return new MountOptions(servers, token, snapshot, cacheDir, mountpoint, memoryCacheBytes, cacheSizeBytes, record,
                prefetch, fetchDeadline);
    }

    public MountOptions withFetchDeadline(Duration deadline) {
        return new MountOptions(servers, token, snapshot, cacheDir, mountpoint, memoryCacheBytes, cacheSizeBytes,
                recordTrace, prefetchTrace, deadline);
    }

    /** Never the token: options end up in log lines and error messages. */
    @Override
    public String toString() {
        return "MountOptions[servers=" + servers + ", token=(hidden), snapshot=" + snapshot + ", cacheDir=" + cacheDir
                + ", mountpoint=" + mountpoint + ", memoryCacheBytes=" + memoryCacheBytes + ", cacheSizeBytes="
                + cacheSizeBytes + ", recordTrace=" + recordTrace + ", prefetchTrace=" + prefetchTrace
                + ", fetchDeadline=" + fetchDeadline + "]";
    }

    /** Options with the default cache directory and memory bound. */
    public static MountOptions of(URI server, String token, String snapshot, Path mountpoint) {
        return new MountOptions(server, token, snapshot, Mounter.defaultCacheDir(), mountpoint, MEMORY_CACHE_FITTED);
    }
}
