package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real server on 127.0.0.1:0 over real files, talked to over HTTP. */
class StackshareServerIT {
    @TempDir
    Path tmp;
    Path stack;
    Path wt;
    Path state;
    byte[] big;
    StackshareServer server;
    ApiClient client;

    @BeforeEach
    void setUp() throws IOException {
        stack = tmp.resolve("home/alice/stack");
        Trees.sampleTree(stack);
        big = Trees.randomBytes(Chunking.DEFAULT_CHUNK_SIZE * 2 + 1000, 11);
        Trees.file(stack, "lib/libhuge.so", big);
        wt = tmp.resolve("home/alice/wt");
        Trees.file(wt, "python/mod.py", "VERSION = 1\n");
        Files.createDirectories(wt.resolve(".git"));
        Trees.file(wt, ".git/HEAD", "ref: refs/heads/main\n");
        state = tmp.resolve("state");
        server = start();
        client = ApiClient.of(server);
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private StackshareServer start() throws IOException {
        return StackshareServer.start(config(List.of(stack, wt)));
    }

    private ServerConfig config(List<Path> roots) {
        return new ServerConfig(roots, new InetSocketAddress("127.0.0.1", 0), state, null);
    }

    private Entry entry(Snapshot s, Path path) throws IOException {
        return ApiClientWalk.entry(client, s, path);
    }

    private Digest content(Snapshot s, Path path) throws IOException {
        return ((Entry.File) entry(s, path)).content();
    }

    private static Api.ErrorBody error(HttpResponse<byte[]> r) throws IOException {
        return Json.read(r.body(), Api.ErrorBody.class);
    }

    @Test
    void firstSnapshotIsTheLatestAndItsFilesAreServedByDigest() throws IOException {
        Snapshot first = server.firstSnapshot();
        HttpResponse<byte[]> view = client.get("/v1/views/latest");
        assertEquals(200, view.statusCode());
        assertEquals("no-store", view.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals(first.id(), Json.read(view.body(), Api.ViewAnswer.class).snapshot());
        assertEquals(first, client.snapshot(first.id()));

        Digest d = content(first, stack.resolve("lib/python/pkg/core.py"));
        HttpResponse<byte[]> r = client.get("/v1/objects/" + d.hex());
        assertEquals(200, r.statusCode());
        assertEquals(Api.OBJECT_CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("public, max-age=31536000, immutable", r.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("\"" + d.hex() + "\"", r.headers().firstValue("ETag").orElseThrow());
        assertArrayEquals(Files.readAllBytes(stack.resolve("lib/python/pkg/core.py")), Compression.decompress(r.body()));
    }

    @Test
    void snapshotRecordsBothRootsWithTheirKinds() {
        Snapshot first = server.firstSnapshot();
        assertEquals(List.of(stack.toString(), wt.toString()), first.roots().stream().map(Snapshot.Root::path).toList());
        assertEquals(List.of(Snapshot.RootKind.STABLE, Snapshot.RootKind.LIVE),
                first.roots().stream().map(Snapshot.Root::kind).toList());
        assertEquals(Chunking.DEFAULT_CHUNK_SIZE, first.chunkSize());
        assertEquals(Api.DEFAULT_VIEW, first.view());
    }

    @Test
    void bigFileIsServedChunkByChunk() throws IOException {
        Snapshot first = server.firstSnapshot();
        Entry.File huge = (Entry.File) entry(first, stack.resolve("lib/libhuge.so"));
        ChunkList list = ChunkList.decode(client.object(huge.content()));
        assertEquals(3, list.chunks().size());
        byte[] whole = new byte[big.length];
        int at = 0;
        for (Digest chunk : list.chunks()) {
            byte[] raw = client.object(chunk);
            System.arraycopy(raw, 0, whole, at, raw.length);
            at += raw.length;
        }
        assertEquals(big.length, at);
        assertArrayEquals(big, whole);
    }

    @Test
    void treeEndpointReturnsEveryDirectoryAndChunkListObjectOnce() throws IOException {
        Snapshot first = server.firstSnapshot();
        Set<Digest> expected = new HashSet<>();
        ArrayDeque<Digest> dirs = new ArrayDeque<>(List.of(first.tree()));
        while (!dirs.isEmpty()) {
            Digest d = dirs.poll();
            expected.add(d);
            for (Entry e : DirectoryCodec.decode(client.object(d)).entries()) {
                if (e instanceof Entry.Dir sub) {
                    dirs.add(sub.tree());
                } else if (e instanceof Entry.File f && Chunking.isChunked(f.size(), first.chunkSize())) {
                    expected.add(f.content());
                }
            }
        }

        HttpResponse<byte[]> r = client.get("/v1/snapshots/" + first.id() + "/tree");
        assertEquals(200, r.statusCode());
        assertEquals(Api.BATCH_CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
        List<BatchStream.Item> items = ApiClient.items(r.body());
        List<Digest> got = items.stream().map(BatchStream.Item::digest).toList();
        assertEquals(got.size(), new HashSet<>(got).size(), "each object once");
        assertEquals(expected, new HashSet<>(got));
        assertEquals(first.tree(), got.get(0));
        for (BatchStream.Item item : items) {
            assertTrue(item.digest().matches(Compression.decompress(item.frame())));
        }
        assertTrue(expected.contains(content(first, stack.resolve("lib/libhuge.so"))), "the chunk list is in it");
        assertEquals(1, server.stats().treesServed());
    }

    @Test
    void liveRootEditedAfterPublishStillServesTheOldBytes() throws IOException {
        Snapshot first = server.firstSnapshot();
        Digest old = content(first, wt.resolve("python/mod.py"));
        Files.writeString(wt.resolve("python/mod.py"), "VERSION = 2\n");

        assertArrayEquals("VERSION = 1\n".getBytes(), client.object(old));
        Snapshot second = server.publish(null);
        Digest now = content(second, wt.resolve("python/mod.py"));
        assertNotEquals(old, now);
        assertArrayEquals("VERSION = 2\n".getBytes(), client.object(now));
        assertArrayEquals("VERSION = 1\n".getBytes(), client.object(old));
    }

    @Test
    void stableChunkServedTwiceIsReadFromItsFileOnceAndStill409AfterAnEdit() throws Exception {
        server.close();
        System.setProperty("stackshare.stableCacheSettleNanos", "0");
        try {
            server = start();
        } finally {
            System.clearProperty("stackshare.stableCacheSettleNanos");
        }
        client = ApiClient.of(server);
        Snapshot first = server.firstSnapshot();
        ChunkList chunks = ChunkList.decode(client.object(((Entry.File) entry(first, stack.resolve("lib/libhuge.so"))).content()));
        Digest chunk = chunks.chunks().get(1);
        long before = server.stableSourceReads();
        byte[] once = client.object(chunk);
        assertEquals(before + 1, server.stableSourceReads());
        HttpResponse<byte[]> batch = client.post("/v1/objects:batch", chunk.hex() + "\n");
        assertArrayEquals(once, Compression.decompress(ApiClient.items(batch.body()).get(0).frame()));
        assertArrayEquals(once, client.object(chunk));
        assertEquals(before + 1, server.stableSourceReads(), "the second and third answers came from the cache");

        byte[] edited = big.clone();
        edited[Chunking.DEFAULT_CHUNK_SIZE + 5] ^= 1;
        Files.write(stack.resolve("lib/libhuge.so"), edited);
        HttpResponse<byte[]> r = client.get("/v1/objects/" + chunk.hex());
        assertEquals(409, r.statusCode());
        batch = client.post("/v1/objects:batch", chunk.hex() + "\n");
        assertNull(ApiClient.items(batch.body()).get(0).frame(), "a batch reports it missing");
    }

    private String token() throws IOException {
        return Files.readString(server.tokenFile()).strip();
    }

    @Test
    void packOfAPublishedTraceAnswersItsObjectsInOrderImmutableAndFromItsFileOnceBuilt() throws Exception {
        Snapshot first = server.firstSnapshot();
        List<Digest> chunks = ChunkList.decode(client.object(((Entry.File) entry(first, stack.resolve("lib/libhuge.so"))).content())).chunks();
        List<Digest> trace = List.of(content(first, stack.resolve("lib/python/pkg/core.py")), chunks.get(2), chunks.get(0),
                content(first, wt.resolve("python/mod.py")));
        StringBuilder list = new StringBuilder();
        trace.forEach(d -> list.append(d.hex()).append('\n'));
        Digest pack = Digest.of(list.toString().getBytes());
        assertEquals(404, client.get(Api.PACKS + pack.hex()).statusCode(), "no such list stored yet");

        HttpResponse<byte[]> put = client.send(HttpRequest.newBuilder(server.url().resolve(
                Api.SNAPSHOTS + "/" + first.id() + Api.TRACE_SUFFIX)).header("Authorization", "Bearer " + token())
                .PUT(HttpRequest.BodyPublishers.ofString(list.toString())));

        assertEquals(200, put.statusCode(), new String(put.body()));
        for (int round = 0; round < 2; round++) { // built on the first request, read back on the second
            HttpResponse<byte[]> r = client.get(Api.PACKS + pack.hex());
            assertEquals(200, r.statusCode());
            assertEquals(Api.BATCH_CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(null));
            assertTrue(r.headers().firstValue("Cache-Control").orElse("").contains("immutable"));
            assertEquals("\"" + pack.hex() + "\"", r.headers().firstValue("ETag").orElse(null));
            List<BatchStream.Item> items = ApiClient.items(r.body());
            assertEquals(trace, items.stream().map(BatchStream.Item::digest).toList(), "the list's order");
            for (BatchStream.Item item : items) {
                assertEquals(item.digest(), Digest.of(Compression.decompress(item.frame())));
            }
            assertTrue(Files.exists(state.resolve("packs").resolve(pack.hex().substring(0, 2)).resolve(pack.hex() + ".pack")));
        }
        HttpResponse<byte[]> cached = client.send(HttpRequest.newBuilder(server.url().resolve(Api.PACKS + pack.hex()))
                .header("Authorization", "Bearer " + token()).header("If-None-Match", "\"" + pack.hex() + "\"").GET());
        assertEquals(304, cached.statusCode());
        // POST batch still answers the same objects.
        assertEquals(trace, ApiClient.items(client.post(Api.BATCH, list.toString()).body()).stream()
                .map(BatchStream.Item::digest).toList());
    }

    @Test
    void directoryFilesAreOneImmutableGetNamedByTheDirectoryDigest() throws Exception {
        Snapshot first = server.firstSnapshot();
        Entry.Dir lib = (Entry.Dir) entry(first, stack.resolve("lib"));
        String path = Api.DIRS + lib.tree().hex() + Api.DIR_FILES + first.chunkSize();
        HttpResponse<byte[]> r = client.get(path);

        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals("public, max-age=31536000, immutable", r.headers().firstValue("Cache-Control").orElse(null));
        String etag = r.headers().firstValue("ETag").orElseThrow();
        // lib holds libbig.so (one chunk) and libhuge.so (a chunk list): only the small one comes.
        List<BatchStream.Item> items = ApiClient.items(r.body());
        assertEquals(List.of(content(first, stack.resolve("lib/libbig.so"))),
                items.stream().map(BatchStream.Item::digest).toList());
        assertArrayEquals(Files.readAllBytes(stack.resolve("lib/libbig.so")), Compression.decompress(items.get(0).frame()));
        HttpResponse<byte[]> again = client.send(HttpRequest.newBuilder(server.url().resolve(path))
                .header("Authorization", "Bearer " + token()).header("If-None-Match", etag).GET());
        assertEquals(304, again.statusCode());
        assertEquals(400, client.get(Api.DIRS + lib.tree().hex() + Api.DIR_FILES + "1000").statusCode());
        Digest file = content(first, stack.resolve("lib/libbig.so"));
        assertEquals(404, client.get(Api.DIRS + file.hex() + Api.DIR_FILES + first.chunkSize()).statusCode(),
                "a file's digest is not a directory");
    }

    @Test
    void directoryFilesAnswerIsCutOffWhenAFileChangedSoNoCacheKeepsAHole() throws Exception {
        Snapshot first = server.firstSnapshot();
        Entry.Dir pkg = (Entry.Dir) entry(first, stack.resolve("lib/python/pkg"));
        Files.writeString(stack.resolve("lib/python/pkg/core.py"), "def f():\n    return 43\n");

        assertThrows(IOException.class, () -> client.get(Api.DIRS + pkg.tree().hex() + Api.DIR_FILES + first.chunkSize()),
                "a body without its last chunk");
    }

    @Test
    void statsTellObjectsServedAgainAndRequestsByKind() throws IOException {
        Snapshot first = server.firstSnapshot();
        Digest core = content(first, stack.resolve("lib/python/pkg/core.py"));
        Api.ServerStats before = server.stats();
        client.get(Api.OBJECTS + core.hex());
        Api.ServerStats once = server.stats();
        client.post(Api.BATCH, core.hex() + "\n");
        Api.ServerStats twice = Json.read(client.get(Api.STATS).body(), Api.ServerStats.class);

        assertEquals(before.distinctObjectsServed() + 1, once.distinctObjectsServed());
        assertEquals(before.objectsServedAgain(), once.objectsServedAgain());
        assertEquals(once.distinctObjectsServed(), twice.distinctObjectsServed());
        assertEquals(once.objectsServedAgain() + 1, twice.objectsServedAgain());
        assertTrue(twice.perObjectCountsComplete());
        assertEquals(1L, twice.requestsByKind().get("Batch"));
        assertTrue(twice.requestsByKind().get("GetObject") >= 1);
    }

    @Test
    void stableRootEditedAfterPublishAnswers409NotWrongBytes() throws IOException {
        Snapshot first = server.firstSnapshot();
        Path core = stack.resolve("lib/python/pkg/core.py");
        Digest old = content(first, core);
        String edited = new String(Files.readAllBytes(core)).replace("42", "43");
        Files.writeString(core, edited);

        HttpResponse<byte[]> r = client.get("/v1/objects/" + old.hex());
        assertEquals(409, r.statusCode());
        assertEquals("changed-since-publish", error(r).code());
        assertFalse(new String(r.body()).contains("return 43"), "none of the new content");

        HttpResponse<byte[]> batch = client.post("/v1/objects:batch", old.hex() + "\n");
        assertNull(ApiClient.items(batch.body()).get(0).frame(), "a batch reports it missing");

        Snapshot second = server.publish(null);
        assertArrayEquals(edited.getBytes(), client.object(content(second, core)));
    }

    @Test
    void requestsWithoutOrWithAWrongTokenGet401AndNoData() throws IOException {
        Digest d = content(server.firstSnapshot(), stack.resolve("lib/python/pkg/core.py"));
        String path = "/v1/objects/" + d.hex();
        String token = client.token();
        String wrong = (token.charAt(0) == 'a' ? "b" : "a") + token.substring(1);
        for (ApiClient c : List.of(client.withToken(null), client.withToken(wrong), client.withToken(token + "0"),
                client.withToken(token.substring(1)))) {
            HttpResponse<byte[]> r = c.get(path);
            assertEquals(401, r.statusCode());
            assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElseThrow());
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
            assertEquals("unauthorized", error(r).code());
            assertFalse(r.headers().firstValue("Content-Type").orElseThrow().contains("zstd"));
        }
        HttpResponse<byte[]> basic = client.send(HttpRequest.newBuilder(server.url().resolve("/v1/views/latest"))
                .header("Authorization", "Basic " + token));
        assertEquals(401, basic.statusCode());
        HttpResponse<byte[]> post = client.withToken(null).post("/v1/objects:batch", d.hex() + "\n");
        assertEquals(401, post.statusCode());
        assertFalse(new String(post.body()).contains(d.hex()), "no frames for the requested digest");
        assertEquals(6, server.stats().unauthorized());
        assertEquals(200, client.get(path).statusCode(), "the right token still works");
    }

    @Test
    void digestOfAFileOutsideTheRootsIs404() throws IOException {
        byte[] secret = "a file beside the roots, never exported\n".getBytes();
        Trees.file(tmp, "home/alice/secret.txt", secret);
        server.publish(null);
        HttpResponse<byte[]> r = client.get("/v1/objects/" + Digest.of(secret).hex());
        assertEquals(404, r.statusCode());
        assertEquals("not-found", error(r).code());
        HttpResponse<byte[]> stateFile = client.get("/v1/objects/" + Digest.of(Files.readAllBytes(server.tokenFile())).hex());
        assertEquals(404, stateFile.statusCode(), "nor any file of the state dir");
    }

    @Test
    void batchAnswersInRequestOrderWithMissingFrames() throws IOException {
        Snapshot first = server.firstSnapshot();
        Digest a = content(first, stack.resolve("lib/python/pkg/core.py"));
        Digest b = content(first, wt.resolve("python/mod.py"));
        Digest unknown = Digest.of("unknown".getBytes());
        HttpResponse<byte[]> r = client.post("/v1/objects:batch", b.hex() + "\n" + unknown.hex() + "\r\n" + a.hex());
        assertEquals(200, r.statusCode());
        assertEquals(Api.BATCH_CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
        List<BatchStream.Item> items = ApiClient.items(r.body());
        assertEquals(List.of(b, unknown, a), items.stream().map(BatchStream.Item::digest).toList());
        assertArrayEquals("VERSION = 1\n".getBytes(), Compression.decompress(items.get(0).frame()));
        assertTrue(items.get(1).missing());
        assertTrue(a.matches(Compression.decompress(items.get(2).frame())));
        assertEquals(1, server.stats().batchRequests());
    }

    @Test
    void batchWithABadLineIs400NamingTheLine() throws IOException {
        HttpResponse<byte[]> r = client.post("/v1/objects:batch", Digest.of(new byte[0]).hex() + "\nnot-a-digest\n");
        assertEquals(400, r.statusCode());
        assertTrue(error(r).message().startsWith("line 2:"), error(r).message());
    }

    @Test
    void unknownSnapshotAndViewAre404WithStableCodes() throws IOException {
        HttpResponse<byte[]> s = client.get("/v1/snapshots/0123456789abcdef");
        assertEquals(404, s.statusCode());
        assertEquals("unknown-snapshot", error(s).code());
        assertTrue(error(s).message().contains("0123456789abcdef"));
        assertEquals("unknown-snapshot", error(client.get("/v1/snapshots/0123456789abcdef/tree")).code());
        HttpResponse<byte[]> v = client.get("/v1/views/nightly");
        assertEquals(404, v.statusCode());
        assertEquals("unknown-view", error(v).code());
        assertEquals(400, client.get("/v1/snapshots/NOT-AN-ID").statusCode());
    }

    @Test
    void publishByPostMovesItsViewAndLatest() throws IOException {
        HttpResponse<byte[]> r = client.post("/v1/snapshots", "{\"view\": \"feature\"}");
        assertEquals(200, r.statusCode());
        Snapshot s = Json.read(r.body(), Snapshot.class);
        assertEquals("feature", s.view());
        assertEquals(s.id(), Json.read(client.get("/v1/views/feature").body(), Api.ViewAnswer.class).snapshot());
        assertEquals(s.id(), Json.read(client.get("/v1/views/latest").body(), Api.ViewAnswer.class).snapshot());
        assertEquals(server.firstSnapshot().id(),
                Json.read(client.get("/v1/views/default").body(), Api.ViewAnswer.class).snapshot());

        Snapshot plain = Json.read(client.post("/v1/snapshots", "").body(), Snapshot.class);
        assertEquals(Api.DEFAULT_VIEW, plain.view());
        assertEquals(400, client.post("/v1/snapshots", "{\"view\": \"latest\"}").statusCode());
        assertEquals(3, server.stats().snapshots());
    }

    @Test
    void restartOnTheSameStateDirServesOldSnapshots() throws IOException {
        Snapshot first = server.firstSnapshot();
        Digest stableDigest = content(first, stack.resolve("lib/python/pkg/core.py"));
        Digest liveDigest = content(first, wt.resolve("python/mod.py"));
        Digest hugeList = content(first, stack.resolve("lib/libhuge.so"));
        Files.writeString(wt.resolve("python/mod.py"), "VERSION = 2\n");
        server.close();

        server = start();
        client = ApiClient.of(server);
        assertNotEquals(first.id(), server.firstSnapshot().id());
        assertEquals(first, client.snapshot(first.id()));
        assertArrayEquals(Files.readAllBytes(stack.resolve("lib/python/pkg/core.py")), client.object(stableDigest));
        assertArrayEquals("VERSION = 1\n".getBytes(), client.object(liveDigest));
        for (Digest chunk : ChunkList.decode(client.object(hugeList)).chunks()) {
            client.object(chunk);
        }
        assertEquals(200, client.get("/v1/snapshots/" + first.id() + "/tree").statusCode());
    }

    @Test
    void stateDirIsPrivateAndServerJsonLivesAsLongAsTheServer() throws IOException {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.tokenFile())));
        assertEquals(state.resolve("token"), server.tokenFile());
        StateDir.ServerInfo info = StateDir.open(state).readServerInfo().orElseThrow();
        assertEquals(server.url().toString(), info.url());
        assertEquals("http://127.0.0.1:" + server.port(), info.url());
        assertEquals(ProcessHandle.current().pid(), info.pid());
        server.close();
        assertFalse(Files.exists(state.resolve("server.json")));
        server.close(); // twice is harmless
    }

    @Test
    void secondServerOnTheSameStateDirIsRefused() {
        ServerException e = assertThrows(ServerException.class, this::start);
        assertTrue(e.getMessage().startsWith("another stackshare server (" + server.url()), e.getMessage());
    }

    @Test
    void portInUseGivesAnActionableMessage() throws IOException {
        server.close();
        server = null;
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            ServerConfig busy = new ServerConfig(List.of(stack), new InetSocketAddress("127.0.0.1", taken.getLocalPort()),
                    state, null);
            ServerException e = assertThrows(ServerException.class, () -> StackshareServer.start(busy));
            assertEquals("cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": address in use; pick another port or use --listen 127.0.0.1:0", e.getMessage());
        }
        server = start(); // the failed start left the state dir free
    }

    @Test
    void startWithBadRootsFailsBeforeTouchingTheStateDir() throws IOException {
        Path elsewhere = tmp.resolve("other-state");
        ServerConfig nested = new ServerConfig(List.of(stack, stack.resolve("lib")),
                new InetSocketAddress("127.0.0.1", 0), elsewhere, null);
        ServerException e = assertThrows(ServerException.class, () -> StackshareServer.start(nested));
        assertTrue(e.getMessage().contains("lies inside root"), e.getMessage());
        assertFalse(Files.exists(elsewhere));
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws IOException {
        String auth = "Authorization: Bearer " + client.token() + "\r\n";
        String answers = client.raw("GET /v1/snapshots/" + server.firstSnapshot().id() + " HTTP/1.1\r\nHost: x\r\n" + auth
                + "\r\nGET /v1/views/nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /v1/stats HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n", 3);
        int first = answers.indexOf("HTTP/1.1 200");
        int second = answers.indexOf("HTTP/1.1 401");
        int third = answers.indexOf("HTTP/1.1 200", second);
        assertTrue(first >= 0 && first < second && second < third, answers);
        assertTrue(answers.substring(third).contains("\"objectsServed\""), answers);
    }

    @Test
    void pathTricksOnTheWireAre400AndNeverReachTheDisk() throws IOException {
        String auth = "Authorization: Bearer " + client.token() + "\r\n";
        for (String path : List.of("/v1/objects/../../../etc/passwd", "/v1/objects/..%2f..%2fetc%2fpasswd",
                "/v1/snapshots/..%2F..%2Fstate/tree")) {
            String answer = client.raw("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n", 1);
            assertTrue(answer.startsWith("HTTP/1.1 400"), path + " -> " + answer);
        }
    }

    @Test
    void hugeHeadersAreRefused() throws IOException {
        String answer = client.raw("GET /v1/stats HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", 1);
        assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
    }

    @Test
    void conditionalGetOfAKnownObjectIs304() throws IOException {
        Digest d = content(server.firstSnapshot(), wt.resolve("python/mod.py"));
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(server.url().resolve("/v1/objects/" + d.hex()))
                .header("Authorization", "Bearer " + client.token())
                .header("If-None-Match", "\"" + d.hex() + "\""));
        assertEquals(304, r.statusCode());
        assertEquals(0, r.body().length);
    }

    @Test
    void statsCountObjectsAndBytes() throws IOException {
        Digest d = content(server.firstSnapshot(), wt.resolve("python/mod.py"));
        long before = server.stats().objectsServed();
        HttpResponse<byte[]> r = client.get("/v1/objects/" + d.hex());
        Api.ServerStats stats = Json.read(client.get("/v1/stats").body(), Api.ServerStats.class);
        assertEquals(before + 1, stats.objectsServed());
        assertTrue(stats.objectBytesServed() >= r.body().length);
        assertEquals(1, stats.snapshots());
        assertTrue(stats.requests() >= 4);
    }

    @Test
    void frozenStoreHoldsOnlyLiveContentAndTrees() throws IOException {
        Set<String> frozen;
        try (var files = Files.walk(state.resolve("objects"))) {
            frozen = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        Snapshot first = server.firstSnapshot();
        assertTrue(frozen.contains(content(first, wt.resolve("python/mod.py")).hex()), "live content frozen");
        assertFalse(frozen.contains(content(first, stack.resolve("lib/python/pkg/core.py")).hex()), "stable stays in place");
        assertTrue(frozen.contains(content(first, stack.resolve("lib/libhuge.so")).hex()), "chunk lists are frozen");
        assertTrue(frozen.contains(first.tree().hex()));
    }

    @Test
    void stateDirInsideARootIsLeftOutOfTheSnapshot() throws IOException {
        Path other = tmp.resolve("home/bob");
        Trees.file(other, "work/a.txt", "a");
        Path innerState = other.resolve(".local/state/stackshare");
        try (StackshareServer inner = StackshareServer.start(new ServerConfig(List.of(other),
                new InetSocketAddress("127.0.0.1", 0), innerState, null))) {
            Snapshot s = inner.publish(null);
            ApiClient c = ApiClient.of(inner);
            Entry.Dir local = (Entry.Dir) ApiClientWalk.entry(c, s, other.resolve(".local/state"));
            assertEquals(List.of(), DirectoryCodec.decode(c.object(local.tree())).entries());
        }
    }

    @Test
    void largeBatchIsStreamedChunkedAndArrivesWhole() throws IOException {
        Snapshot first = server.firstSnapshot();
        List<Digest> chunks = ChunkList.decode(client.object(content(first, stack.resolve("lib/libhuge.so")))).chunks();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            body.append(chunks.get(i % chunks.size()).hex()).append('\n');
        }
        HttpResponse<byte[]> r = client.post("/v1/objects:batch", body.toString());
        assertEquals("chunked", r.headers().firstValue("Transfer-Encoding").orElseThrow());
        List<BatchStream.Item> items = ApiClient.items(r.body());
        assertEquals(40, items.size());
        for (int i = 0; i < 40; i++) {
            assertEquals(chunks.get(i % chunks.size()), items.get(i).digest());
            assertTrue(items.get(i).digest().matches(Compression.decompress(items.get(i).frame())));
        }
        assertTrue(r.body().length > 10_000_000, "well past any socket buffer");
    }
}
