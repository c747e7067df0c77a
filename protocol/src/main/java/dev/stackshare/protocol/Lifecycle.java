package dev.stackshare.protocol;

import java.time.Instant;
import java.util.List;

/**
 * Listing and removing snapshots: the developer's side of the snapshot life cycle.
 *
 * <pre>
 * GET  /v1/snapshots   list of {@link SnapshotSummary}, oldest first
 * POST /v1/gc          body {@link GcRequest}; answer {@link GcReport}
 * </pre>
 */
public final class Lifecycle {
    public static final String GC = "/v1/gc";
    /** A snapshot a client fetched the metadata of this recently is kept by gc unless forced. */
    public static final long IN_USE_SECONDS = 3600;

    private Lifecycle() {
    }

    /**
     * One snapshot as {@code stackshare snapshots} shows it. {@code newBytes}: bytes of files
     * whose content differs from the previous snapshot of the same view (all of them for the
     * first); {@code lastUsed}: when a client last fetched its metadata, or null.
     */
    public record SnapshotSummary(String id, String view, Instant createdAt, List<String> roots, long files, long bytes,
                                  long newBytes, Instant lastUsed) {
    }

    /**
     * Remove snapshots beyond the newest {@code keep} of each view that are also older than
     * {@code olderThanSeconds}; the newest snapshot of a view is always kept, and so is one a
     * client used within {@link #IN_USE_SECONDS} unless {@code force}.
     */
    public record GcRequest(int keep, long olderThanSeconds, boolean force, boolean dryRun) {
    }

    public record GcReport(boolean dryRun, List<String> removed, List<String> keptInUse, int kept, long objectsRemoved,
                           long bytesFreed) {
    }
}
