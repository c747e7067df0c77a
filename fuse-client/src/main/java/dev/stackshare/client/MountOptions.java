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
 */
public record MountOptions(URI server, String token, String snapshot, Path cacheDir, Path mountpoint,
                           long memoryCacheBytes) {
    /** Enough for the hot chunks of a job's working set without crowding the job itself. */
    public static final long DEFAULT_MEMORY_CACHE_BYTES = 256L * 1024 * 1024;

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
    }

    /** Options with the default cache directory and memory bound. */
    public static MountOptions of(URI server, String token, String snapshot, Path mountpoint) {
        return new MountOptions(server, token, snapshot, Mounter.defaultCacheDir(), mountpoint, DEFAULT_MEMORY_CACHE_BYTES);
    }
}
