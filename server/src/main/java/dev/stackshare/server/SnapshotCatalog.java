package dev.stackshare.server;

import dev.stackshare.protocol.Lifecycle;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The snapshot life cycle as the API offers it: list, record use, collect garbage. */
final class SnapshotCatalog {
    private final SnapshotStore snapshots;
    private final SnapshotDiff diff;
    private final SnapshotUsage usage;
    private final GarbageCollector collector;

    SnapshotCatalog(SnapshotStore snapshots, FrozenStore store, SnapshotUsage usage, GarbageCollector collector) {
        this.snapshots = snapshots;
        this.diff = new SnapshotDiff(store);
        this.usage = usage;
        this.collector = collector;
    }

    /** Oldest first; new bytes are counted against the previous snapshot of the same view. */
    List<Lifecycle.SnapshotSummary> list() throws IOException {
        Map<String, Snapshot> previous = new HashMap<>();
        List<Lifecycle.SnapshotSummary> out = new ArrayList<>();
        for (Snapshot s : snapshots.all()) {
            Snapshot before = previous.put(s.view(), s);
            long newBytes = diff.newBytes(before == null ? null : before.tree(), s.tree());
            out.add(new Lifecycle.SnapshotSummary(s.id(), s.view(), s.createdAt(),
                    s.roots().stream().map(Snapshot.Root::path).toList(),
                    s.roots().stream().mapToLong(Snapshot.Root::files).sum(),
                    s.roots().stream().mapToLong(Snapshot.Root::bytes).sum(),
                    newBytes, usage.lastUsed(s.id()).orElse(null)));
        }
        return out;
    }

    /** A client fetched this snapshot's metadata: it is being mounted. */
    void used(String id) {
        usage.touch(id);
    }

    Lifecycle.GcReport gc(Lifecycle.GcRequest request) throws IOException {
        return collector.collect(request);
    }
}
