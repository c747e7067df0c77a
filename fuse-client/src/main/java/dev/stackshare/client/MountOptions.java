package dev.stackshare.client;

import java.net.URI;
import java.nio.file.Path;

/**
 * What to mount where.
 *
 * @param server           the server's base URL, e.g. {@code http://devhost:7878}
 * @param token            the bearer token the server printed at {@code serve}
 * @param snapshot         a snapshot id, or a view name (such as {@code latest}) resolved at mount
 * @param cacheDir         the node's disk cache, shared by mounts; see {@link Mounter#defaultCacheDir()}
 * @param mountpoint       an existing, empty directory
 * @param memoryCacheBytes bound of the in-memory object cache; see {@link #DEFAULT_MEMORY_CACHE_BYTES}
 * @param cacheSizeBytes   bound of the node's disk cache; least recently used objects go first when it is passed
 * @param recordTrace      record which objects the job reads and publish that trace for the snapshot at unmount
 * @param prefetchTrace    fetch the snapshot's published trace (if any) in one batch while the job starts
 */
public record MountOptions(URI server, String token, String snapshot, Path cacheDir, Path mountpoint,
                           long memoryCacheBytes, long cacheSizeBytes, boolean recordTrace, boolean prefetchTrace) {
    /**
     * Enough for the hot objects of a job's working set without crowding the heap: the kernel's
     * page cache keeps what was read, and the disk cache everything fetched.
     */
    public static final long DEFAULT_MEMORY_CACHE_BYTES = 64L * 1024 * 1024;
    /** Default bound of the node's disk cache: 10 GiB. */
    public static final long DEFAULT_CACHE_SIZE_BYTES = 10L * 1024 * 1024 * 1024;

    public MountOptions {
        if (server == null) {
            throw new IllegalArgumentException("no server URL given");
        }
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
        if (memoryCacheBytes < 0) {
            throw new IllegalArgumentException("memory cache size must be >= 0 bytes, got " + memoryCacheBytes);
        }
        if (cacheSizeBytes <= 0) {
            throw new IllegalArgumentException("disk cache size must be > 0 bytes, got " + cacheSizeBytes);
        }
    }

    /** Options with the default disk cache bound, prefetching a published trace, recording none. */
    public MountOptions(URI server, String token, String snapshot, Path cacheDir, Path mountpoint, long memoryCacheBytes) {
        this(server, token, snapshot, cacheDir, mountpoint, memoryCacheBytes, DEFAULT_CACHE_SIZE_BYTES, false, true);
    }

    public MountOptions withCacheSize(long bytes) {
        return new MountOptions(server, token, snapshot, cacheDir, mountpoint, memoryCacheBytes, bytes, recordTrace,
                prefetchTrace);
    }

    public MountOptions withTrace(boolean record, boolean prefetch) {
        return new MountOptions(server, token, snapshot, cacheDir, mountpoint, memoryCacheBytes, cacheSizeBytes, record,
                prefetch);
    }

    /** Never the token: options end up in log lines and error messages. */
    @Override
    public String toString() {
        return "MountOptions[server=" + server + ", token=(hidden), snapshot=" + snapshot + ", cacheDir=" + cacheDir
                + ", mountpoint=" + mountpoint + ", memoryCacheBytes=" + memoryCacheBytes + ", cacheSizeBytes="
                + cacheSizeBytes + ", recordTrace=" + recordTrace + ", prefetchTrace=" + prefetchTrace + "]";
    }

    /** Options with the default cache directory and memory bound. */
    public static MountOptions of(URI server, String token, String snapshot, Path mountpoint) {
        return new MountOptions(server, token, snapshot, Mounter.defaultCacheDir(), mountpoint, DEFAULT_MEMORY_CACHE_BYTES);
    }
}
