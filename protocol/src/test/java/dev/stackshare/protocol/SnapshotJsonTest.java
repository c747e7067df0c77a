package dev.stackshare.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotJsonTest {
    @Test
    void snapshotRecordRoundTripsThroughJson() throws Exception {
        Digest tree = Digest.of(new byte[] {7});
        Snapshot s = new Snapshot("0123456789abcdef", "default", Instant.parse("2026-11-25T17:00:00.123456789Z"),
                Chunking.DEFAULT_CHUNK_SIZE, tree,
                List.of(new Snapshot.Root("/home/a/stack", Snapshot.RootKind.STABLE, tree, 3, 100)),
                Map.of("PATH", "/usr/bin"));
        assertEquals(s, Json.read(Json.write(s), Snapshot.class));
    }

    @Test
    void invalidRecordsAreProtocolExceptions() {
        for (String bad : new String[] {"{", "[]", "{\"id\":\"x\"}", "null", ""}) {
            assertThrows(ProtocolException.class,
                    () -> Json.read(bad.getBytes(StandardCharsets.UTF_8), Snapshot.class), bad);
        }
    }

    @Test
    void idsAndViewNames() {
        assertEquals(true, Snapshot.isId("0123456789abcdef"));
        assertEquals(false, Snapshot.isId("latest"));
        assertEquals(true, Snapshot.isViewName("latest"));
        assertEquals(false, Snapshot.isViewName("../etc"));
    }
}
