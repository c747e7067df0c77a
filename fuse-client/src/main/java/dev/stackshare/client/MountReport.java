package dev.stackshare.client;

import java.time.Instant;
import java.util.List;

/**
 * What a mount process says about itself, for {@code stackshare status}: written by the process
 * every few seconds to {@code CACHE/mounts/} ({@link MountReports}), removed at unmount.
 *
 * @param servers    the URLs it fetches from, caches first (never the token)
 * @param stats      what it has fetched and served from its caches so far
 * @param updatedAt  when the process last wrote this; an old one means the process is gone
 */
public record MountReport(String mountpoint, String snapshot, List<String> servers, long pid, Instant startedAt,
                          Instant updatedAt, ClientStats stats) {
    public MountReport {
        servers = List.copyOf(servers);
    }

    /** Objects answered by a cache (memory or disk) out of all objects the mount needed. */
    public double hitRatio() {
        long hits = stats.diskCacheHits() + stats.memoryCacheHits();
        long all = hits + stats.objectsFetched();
        return all == 0 ? 0 : (double) hits / all;
    }
}
