package dev.stackshare.server;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Lifecycle;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes old snapshots and every frozen object no remaining snapshot needs (mark and sweep).
 * It holds the publish lock throughout: a publish in progress writes objects that no snapshot
 * references yet, and a sweep must never see those.
 */
final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

    private final SnapshotStore snapshots;
    private final FrozenStore store;
    private final StableLocations stable;
    private final SnapshotUsage usage;
    private final Lock publishLock;
    private final Clock clock;

    GarbageCollector(SnapshotStore snapshots, FrozenStore store, StableLocations stable, SnapshotUsage usage,
                     Lock publishLock, Clock clock) {
        this.snapshots = snapshots;
        this.store = store;
        this.stable = stable;
        this.usage = usage;
        this.publishLock = publishLock;
        this.clock = clock;
    }

    Lifecycle.GcReport collect(Lifecycle.GcRequest request) throws IOException {
        if (request.keep() < 1 || request.olderThanSeconds() < 0) {
            throw new ServerException("gc needs keep >= 1 and older-than >= 0, got keep " + request.keep()
                    + ", older-than " + request.olderThanSeconds() + " s");
        }
        publishLock.lock();
        try {
            Instant now = clock.instant();
            List<Snapshot> remove = new ArrayList<>();
            List<String> inUse = new ArrayList<>();
            for (List<Snapshot> view : byViewNewestFirst().values()) {
                for (int i = request.keep(); i < view.size(); i++) {
                    Snapshot s = view.get(i);
                    if (s.createdAt().plusSeconds(request.olderThanSeconds()).isAfter(now)) {
                        continue;
                    }
                    boolean used = usage.lastUsed(s.id())
                            .map(t -> t.plusSeconds(Lifecycle.IN_USE_SECONDS).isAfter(now)).orElse(false);
                    if (used && !request.force()) {
                        inUse.add(s.id());
                    } else {
                        remove.add(s);
                    }
                }
            }
            List<Snapshot> kept = new ArrayList<>(snapshots.all());
            kept.removeAll(remove);
            Set<Digest> needed = ReachableObjects.of(kept, store);
            long objects = 0;
            long bytes = 0;
            List<FrozenStore.Stored> garbage = new ArrayList<>();
            for (FrozenStore.Stored o : store.list()) {
                if (!needed.contains(o.digest())) {
                    garbage.add(o);
                    objects++;
                    bytes += o.bytes();
                }
            }
            List<String> removedIds = remove.stream().map(Snapshot::id).toList();
            if (!request.dryRun()) {
                // Records first: from here on no client can start reading a removed snapshot.
                for (Snapshot s : remove) {
                    snapshots.remove(s.id());
                    usage.forget(s.id());
                }
                for (FrozenStore.Stored o : garbage) {
                    store.delete(o.digest());
                }
                stable.retainAll(needed);
                LOG.info("gc removed {} snapshots ({}), {} objects, {} bytes; kept {} ({} in use)", remove.size(),
                        removedIds, objects, bytes, kept.size(), inUse.size());
            }
            return new Lifecycle.GcReport(request.dryRun(), removedIds, inUse, kept.size(), objects, bytes);
        } finally {
            publishLock.unlock();
        }
    }

    private Map<String, List<Snapshot>> byViewNewestFirst() {
        Map<String, List<Snapshot>> views = new LinkedHashMap<>();
        for (Snapshot s : snapshots.all()) {
            views.computeIfAbsent(s.view(), v -> new ArrayList<>()).add(s);
        }
        views.values().forEach(l -> l.sort(Comparator.comparing(Snapshot::createdAt).reversed()));
        return views;
    }
}
