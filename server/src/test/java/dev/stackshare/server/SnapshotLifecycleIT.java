package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Lifecycle;
import dev.stackshare.protocol.Snapshot;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Views, the snapshot list and gc against a real server, with the client's view of every kept snapshot checked. */
class SnapshotLifecycleIT {
    @TempDir
    Path tmp;

    private StackshareServer start(Path... roots) throws Exception {
        return StackshareServer.start(new ServerConfig(List.of(roots), new InetSocketAddress("127.0.0.1", 0),
                tmp.resolve("state"), "default"), ScanFixture.CHUNK);
    }

    private static Path liveRoot(Path dir) throws Exception {
        Files.createDirectories(dir.resolve(".git"));
        Trees.file(dir, "pkg/core.py", "VALUE = 0\n");
        return dir;
    }

    private static List<Lifecycle.SnapshotSummary> list(ApiClient api) throws Exception {
        return List.of(Json.read(api.get("/v1/snapshots").body(), Lifecycle.SnapshotSummary[].class));
    }

    private static Lifecycle.GcReport gc(ApiClient api, int keep, long olderThan, boolean force, boolean dryRun) throws Exception {
        var r = api.post(Lifecycle.GC, new String(Json.write(new Lifecycle.GcRequest(keep, olderThan, force, dryRun))));
        assertEquals(200, r.statusCode(), new String(r.body()));
        return Json.read(r.body(), Lifecycle.GcReport.class);
    }

    /** Fetches every object a client could need from the snapshot; fails on any missing or wrong one. */
    private static int readWhole(ApiClient api, Snapshot s) throws Exception {
        int objects = 0;
        List<Digest> dirs = new ArrayList<>(List.of(s.tree()));
        while (!dirs.isEmpty()) {
            Directory d = DirectoryCodec.decode(api.object(dirs.remove(dirs.size() - 1)));
            objects++;
            for (Entry e : d.entries()) {
                if (e instanceof Entry.Dir sub) {
                    dirs.add(sub.tree());
                } else if (e instanceof Entry.File f) {
                    List<Digest> chunks = Chunking.isChunked(f.size(), s.chunkSize())
                            ? ChunkList.decode(api.object(f.content())).chunks() : List.of(f.content());
                    for (Digest c : chunks) {
                        api.object(c);
                        objects++;
                    }
                }
            }
        }
        return objects;
    }

    @Test
    void publishToAViewMovesOnlyThatViewAndTheListShowsNewBytes() throws Exception {
        Path wt = liveRoot(tmp.resolve("wt"));
        try (StackshareServer server = start(wt)) {
            ApiClient api = ApiClient.of(server);
            Files.writeString(wt.resolve("pkg/core.py"), "VALUE = 1234567\n");
            Snapshot test = server.publish("testing");
            List<Lifecycle.SnapshotSummary> all = list(api);
            assertEquals(2, all.size());
            assertEquals(server.firstSnapshot().id(), all.get(0).id());
            assertEquals("testing", all.get(1).view());
            assertEquals(Files.size(wt.resolve("pkg/core.py")), all.get(1).newBytes(),
                    "the first snapshot of a view counts every file as new");
            Snapshot again = server.publish("testing");
            assertEquals(0, list(api).get(2).newBytes(), "nothing changed since the view's previous snapshot");
            assertTrue(new String(api.get("/v1/views/default").body()).contains(server.firstSnapshot().id()));
            assertTrue(new String(api.get("/v1/views/testing").body()).contains(again.id()));
            assertFalse(test.id().equals(again.id()));
        }
    }

    /** Property: after any sequence of edits, publishes and gcs, every kept snapshot is whole. */
    @Test
    void gcNeverRemovesAnObjectAKeptSnapshotNeeds() throws Exception {
        Path wt = liveRoot(tmp.resolve("wt"));
        Random random = new Random(2026);
        try (StackshareServer server = start(wt)) {
            ApiClient api = ApiClient.of(server);
            int removedTotal = 0;
            long objectsRemoved = 0;
            for (int round = 0; round < 12; round++) {
                // random edits: change, add, delete, and sometimes a multi-chunk file
                for (int e = 0; e < 1 + random.nextInt(4); e++) {
                    Path f = wt.resolve("pkg/f" + random.nextInt(6) + ".py");
                    if (random.nextInt(4) == 0) {
                        Files.deleteIfExists(f);
                    } else {
                        Files.write(f, Trees.randomBytes(random.nextInt(3) == 0 ? 3 * ScanFixture.CHUNK + 17 : 100,
                                random.nextLong()));
                    }
                }
                server.publish(random.nextBoolean() ? "default" : "other");
                if (round % 3 == 2) {
                    int keep = 1 + random.nextInt(2);
                    Set<String> before = list(api).stream().map(Lifecycle.SnapshotSummary::id).collect(Collectors.toSet());
                    Lifecycle.GcReport report = gc(api, keep, 0, true, false);
                    removedTotal += report.removed().size();
                    objectsRemoved += report.objectsRemoved();
                    List<Lifecycle.SnapshotSummary> kept = list(api);
                    assertEquals(before.size() - report.removed().size(), kept.size());
                    for (Lifecycle.SnapshotSummary s : kept) {
                        assertTrue(readWhole(api, api.snapshot(s.id())) > 0);
                    }
                    for (String gone : report.removed()) {
                        assertEquals(404, api.get("/v1/snapshots/" + gone).statusCode(), gone);
                    }
                    assertEquals(kept.size(), Stream.of("default", "other").mapToLong(v -> kept.stream()
                            .filter(s -> s.view().equals(v)).count()).map(n -> Math.min(n, keep)).sum()
                            + kept.stream().filter(s -> !s.view().equals("default") && !s.view().equals("other")).count(),
                            "each view keeps exactly its newest " + keep);
                }
            }
            assertTrue(removedTotal > 0 && objectsRemoved > 0, "the run did remove snapshots and objects");
        }
    }

    @Test
    void aSnapshotMountedInTheLastHourIsKeptUnlessForcedAndDryRunRemovesNothing() throws Exception {
        Path wt = liveRoot(tmp.resolve("wt"));
        try (StackshareServer server = start(wt)) {
            ApiClient api = ApiClient.of(server);
            String first = server.firstSnapshot().id();
            assertEquals(200, api.get("/v1/snapshots/" + first + "/tree").statusCode(), "a node mounts the first snapshot");
            Files.writeString(wt.resolve("pkg/core.py"), "VALUE = 2\n");
            server.publish("default");

            Lifecycle.GcReport dry = gc(api, 1, 0, true, true);
            assertEquals(List.of(first), dry.removed());
            assertEquals(2, list(api).size(), "a dry run removes nothing");

            Lifecycle.GcReport polite = gc(api, 1, 0, false, false);
            assertEquals(List.of(), polite.removed());
            assertEquals(List.of(first), polite.keptInUse());
            assertTrue(list(api).get(0).lastUsed() != null);

            Lifecycle.GcReport young = gc(api, 1, 3600, true, false);
            assertEquals(List.of(), young.removed(), "younger than --older-than: kept");

            Lifecycle.GcReport forced = gc(api, 1, 0, true, false);
            assertEquals(List.of(first), forced.removed());
            assertTrue(forced.objectsRemoved() > 0, "the old core.py is gone from the frozen store");
        }
    }

    @Test
    void badGcRequestsAreRefusedWithAMessage() throws Exception {
        try (StackshareServer server = start(liveRoot(tmp.resolve("wt")))) {
            ApiClient api = ApiClient.of(server);
            var r = api.post(Lifecycle.GC, "{\"keep\": 0, \"olderThanSeconds\": 0}");
            assertEquals(400, r.statusCode());
            assertTrue(new String(r.body()).contains("keep"));
            assertEquals(400, api.post(Lifecycle.GC, "not json").statusCode());
        }
    }
}
