package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
    @TempDir
    Path tmp;

    private static Snapshot snapshot(String id, String view, long second) {
        return new Snapshot(id, view, Instant.ofEpochSecond(second), Chunking.DEFAULT_CHUNK_SIZE,
                Digest.of(id.getBytes()), List.of(), Map.of());
    }

    private SnapshotStore open() throws IOException {
        return SnapshotStore.open(tmp.resolve("snapshots"), tmp.resolve("views"));
    }

    @Test
    void viewsAndLatestFollowTheNewestSnapshot() throws IOException {
        SnapshotStore store = open();
        store.add(snapshot("000000000000000a", "default", 10));
        store.add(snapshot("000000000000000b", "feature", 20));
        store.add(snapshot("000000000000000c", "default", 30));
        assertEquals("000000000000000c", store.view("default").orElseThrow().id());
        assertEquals("000000000000000b", store.view("feature").orElseThrow().id());
        assertEquals("000000000000000c", store.view("latest").orElseThrow().id());
        assertEquals(Optional.empty(), store.view("nope"));
        assertEquals("000000000000000c\n", Files.readString(tmp.resolve("views/default")));
    }

    @Test
    void reopenedStoreHasEveryRecordAndView() throws IOException {
        SnapshotStore store = open();
        Snapshot a = snapshot("000000000000000a", "default", 10);
        Snapshot b = snapshot("000000000000000b", "feature", 20);
        store.add(a);
        store.add(b);
        SnapshotStore again = open();
        assertEquals(Optional.of(a), again.get(a.id()));
        assertEquals(Optional.of(b), again.view("latest"));
        assertEquals(Optional.of(a), again.view("default"));
        assertEquals(2, again.size());
    }

    @Test
    void corruptRecordIsSkippedNotFatal() throws IOException {
        open().add(snapshot("000000000000000a", "default", 10));
        Files.writeString(tmp.resolve("snapshots/00000000000000ff.json"), "{not json");
        SnapshotStore again = open();
        assertEquals(1, again.size());
        assertTrue(again.contains("000000000000000a"));
    }

    @Test
    void aTraceGrowsByWhatLaterJobsReadKeepsItsOrderSurvivesARestartAndGoesWithItsSnapshot() throws IOException {
        Digest a = Digest.of(new byte[] {1});
        Digest b = Digest.of(new byte[] {2});
        Digest c = Digest.of(new byte[] {3});
        SnapshotStore store = open();
        store.add(snapshot("000000000000000a", "default", 10));
        assertEquals(List.of(), store.trace("000000000000000a"));

        assertEquals(2, store.addTrace("000000000000000a", List.of(b, a), 10));
        assertEquals(3, store.addTrace("000000000000000a", List.of(c, a, b), 10));
        assertEquals(List.of(b, a, c), open().trace("000000000000000a"));
        assertEquals(3, store.addTrace("000000000000000a", List.of(Digest.of(new byte[] {4})), 3), "at its limit");

        store.remove("000000000000000a");
        assertEquals(List.of(), store.trace("000000000000000a"));
        assertTrue(Files.notExists(tmp.resolve("snapshots/000000000000000a.trace")));
    }

    @Test
    void aSnapshotWithoutATraceIsGivenTheNewestOlderTraceOfItsView() throws IOException {
        SnapshotStore store = open();
        Digest a = Digest.of(new byte[] {1});
        Digest b = Digest.of(new byte[] {2});
        Digest c = Digest.of(new byte[] {3});
        store.add(snapshot("000000000000000a", "default", 10));
        store.add(snapshot("000000000000000b", "default", 20));
        store.add(snapshot("000000000000000c", "feature", 30));
        store.add(snapshot("000000000000000d", "default", 40));
        assertEquals(Optional.empty(), store.traceFor("000000000000000d"), "no trace anywhere yet");
        store.addTrace("000000000000000a", List.of(a), 10);
        store.addTrace("000000000000000b", List.of(b, a), 10);
        store.addTrace("000000000000000c", List.of(c), 10);
        assertEquals(Optional.of(new SnapshotStore.TraceFor("000000000000000b", List.of(b, a))),
                store.traceFor("000000000000000d"), "the newest older one of the same view, not feature's newer one");
        assertEquals(Optional.of(new SnapshotStore.TraceFor("000000000000000a", List.of(a))),
                store.traceFor("000000000000000a"), "its own");
        store.addTrace("000000000000000d", List.of(c, a), 10);
        assertEquals(Optional.of(new SnapshotStore.TraceFor("000000000000000d", List.of(c, a))),
                store.traceFor("000000000000000d"), "its own once a job recorded one");
        assertEquals(List.of(), store.trace("000000000000000e"));
        assertEquals(Optional.empty(), store.traceFor("000000000000000e"), "an unknown snapshot");
        store.add(snapshot("0000000000000001", "default", 5));
        assertEquals(Optional.empty(), store.traceFor("0000000000000001"), "only older snapshots lend theirs");
    }
}
