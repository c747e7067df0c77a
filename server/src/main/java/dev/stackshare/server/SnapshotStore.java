package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.ProtocolException;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot records ({@code snapshots/ID.json}) and views ({@code views/NAME}, the id of the
 * view's newest snapshot). On load, views are rebuilt from the records' times rather than read
 * back, so a crash between writing a record and its view file loses nothing; the view files are
 * kept for people and scripts that look into the state dir.
 */
final class SnapshotStore {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
    private static final String SUFFIX = ".json";
    /** {@code ID.trace}: the objects recorded jobs read from snapshot ID, hex digests one a line, first reads first. */
    private static final String TRACE_SUFFIX = ".trace";
    /** Newest last; ties (one clock tick) go to the later publish. */
    private static final Comparator<Snapshot> AGE = Comparator.comparing(Snapshot::createdAt);

    private final Path snapshotsDir;
    private final Path viewsDir;
    private final Map<String, Snapshot> byId = new ConcurrentHashMap<>();
    private final Map<String, Snapshot> newestByView = new ConcurrentHashMap<>();
    private volatile Snapshot newest;

    private SnapshotStore(Path snapshotsDir, Path viewsDir) {
        this.snapshotsDir = snapshotsDir;
        this.viewsDir = viewsDir;
    }

    static SnapshotStore open(Path snapshotsDir, Path viewsDir) throws IOException {
        Files.createDirectories(snapshotsDir);
        Files.createDirectories(viewsDir);
        SnapshotStore store = new SnapshotStore(snapshotsDir, viewsDir);
        List<Snapshot> loaded = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(snapshotsDir, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    Snapshot s = Json.read(Files.readAllBytes(file), Snapshot.class);
                    if (!file.getFileName().toString().equals(s.id() + SUFFIX)) {
                        throw new ProtocolException("record holds id " + s.id());
                    }
                    loaded.add(s);
                } catch (ProtocolException e) {
                    LOG.warn("ignored snapshot record {}: {}", file, e.getMessage());
                }
            }
        }
        loaded.sort(AGE);
        loaded.forEach(store::remember);
        return store;
    }

    /** Persists a new snapshot: its record first, then its view, so a view never names a missing record. */
    synchronized void add(Snapshot snapshot) throws IOException {
        AtomicFiles.write(snapshotsDir.resolve(snapshot.id() + SUFFIX), Json.write(snapshot));
        AtomicFiles.write(viewsDir.resolve(snapshot.view()), (snapshot.id() + "\n").getBytes(StandardCharsets.US_ASCII));
        remember(snapshot);
    }

    private void remember(Snapshot s) {
        byId.put(s.id(), s);
        newestByView.merge(s.view(), s, (old, fresh) -> AGE.compare(fresh, old) >= 0 ? fresh : old);
        Snapshot current = newest;
        if (current == null || AGE.compare(s, current) >= 0) {
            newest = s;
        }
    }

    /** Forgets a snapshot: its record, and its view moves back to the view's newest remaining snapshot. */
    synchronized void remove(String id) throws IOException {
        Snapshot gone = byId.remove(id);
        if (gone == null) {
            return;
        }
        Files.deleteIfExists(snapshotsDir.resolve(id + SUFFIX));
        Files.deleteIfExists(snapshotsDir.resolve(id + TRACE_SUFFIX));
        newestByView.remove(gone.view());
        newest = null;
        all().forEach(this::remember);
        Snapshot head = newestByView.get(gone.view());
        if (head == null) {
            Files.deleteIfExists(viewsDir.resolve(gone.view()));
        } else {
            AtomicFiles.write(viewsDir.resolve(head.view()), (head.id() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** The published trace of a snapshot, empty when none was published. */
    List<Digest> trace(String id) throws IOException {
        Path file = snapshotsDir.resolve(id + TRACE_SUFFIX);
        if (!byId.containsKey(id) || !Files.exists(file)) {
            return List.of();
        }
        List<Digest> digests = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (!line.isBlank()) {
                try {
                    digests.add(Digest.parse(line.strip()));
                } catch (ProtocolException e) {
                    throw new IOException("trace " + file + " is corrupt: " + e.getMessage(), e);
                }
            }
        }
        return digests;
    }

    /** A trace to prefetch for a snapshot, and the snapshot it was recorded on. */
    record TraceFor(String recordedOn, List<Digest> digests) {
        TraceFor {
            digests = List.copyOf(digests);
        }
    }

    /**
     * The trace a mount of snapshot {@code id} should prefetch: its own, else that of the newest
     * older snapshot of the same view that has one. A publish after an edit changes few objects,
     * so what a job read from the view's last snapshot is nearly what it reads from this one, and
     * the first job after each publish need not start cold. Empty when neither exists.
     */
    Optional<TraceFor> traceFor(String id) throws IOException {
        Snapshot snapshot = byId.get(id);
        if (snapshot == null) {
            return Optional.empty();
        }
        List<Snapshot> older = all();
        for (int i = older.size() - 1; i >= 0; i--) {
            Snapshot s = older.get(i);
            boolean candidate = s.id().equals(id)
                    || s.view().equals(snapshot.view()) && s.createdAt().isBefore(snapshot.createdAt());
            if (candidate) {
                List<Digest> digests = trace(s.id());
                if (!digests.isEmpty()) {
                    return Optional.of(new TraceFor(s.id(), digests));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Adds what a job read to the snapshot's trace: what earlier jobs read keeps its place, new
     * objects follow, at most {@code limit} in all. Returns the length of the trace now.
     */
    synchronized int addTrace(String id, List<Digest> read, int limit) throws IOException {
        LinkedHashSet<Digest> merged = new LinkedHashSet<>(trace(id));
        for (Digest d : read) {
            if (merged.size() >= limit) {
                break;
            }
            merged.add(d);
        }
        AtomicFiles.write(snapshotsDir.resolve(id + TRACE_SUFFIX), Digest.listText(merged));
        return merged.size();
    }

    Optional<Snapshot> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The newest snapshot of a view; {@link Api#LATEST} is the newest of all. */
    Optional<Snapshot> view(String name) {
        if (Api.LATEST.equals(name)) {
            return Optional.ofNullable(newest);
        }
        return Optional.ofNullable(newestByView.get(name));
    }

    List<Snapshot> all() {
        List<Snapshot> list = new ArrayList<>(byId.values());
        list.sort(AGE);
        return list;
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    int size() {
        return byId.size();
    }
}
