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
}
