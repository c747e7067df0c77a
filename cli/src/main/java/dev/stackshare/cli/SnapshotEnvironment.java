package dev.stackshare.cli;

import dev.stackshare.protocol.Snapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The environment a snapshot recorded, as a job on a node should see it. */
final class SnapshotEnvironment {
    private SnapshotEnvironment() {
    }

    static List<String> rootPaths(Snapshot snapshot) {
        return snapshot.roots().stream().map(Snapshot.Root::path).toList();
    }

    /**
     * The recorded variables with every root path mapped into {@code mount}, or unchanged when
     * the roots appear at their own paths ({@code mount == null}). Host, session and stackshare
     * variables are never applied, even from an old record that kept them.
     */
    static Map<String, String> forJob(Snapshot snapshot, Path mount) {
        Map<String, String> recorded = RecordedEnvironment.applied(snapshot.environment());
        return mount == null ? new TreeMap<>(recorded) : new PathMapper(rootPaths(snapshot), mount).map(recorded);
    }
}
