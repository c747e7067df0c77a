package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServerClientTest {
    private static final String ID = "0123456789abcdef";
    private final TestSnapshot objects = new TestSnapshot();
    private final Counters counters = new Counters();
    private FakeServer server;
    private Snapshot snapshot;
    private Entry.File small;
    private Entry.File big;

    @BeforeEach
    void start() throws IOException {
        small = objects.file("small.txt", 0644, "hello\n".getBytes());
        big = objects.file("big.bin", 0644, TestSnapshot.bytes(3 * TestSnapshot.CHUNK_SIZE + 17, 1));
        snapshot = objects.snapshot(ID, objects.dir("home", objects.dir("a", small, big)));
        server = new FakeServer().serve(objects, snapshot);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ServerClient client(String token) {
        return new ServerClient(server.uri(), token, Duration.ofSeconds(5), counters);
    }

    @Test
    void fetchesASnapshotByIdWithTheToken() throws IOException {
        assertEquals(snapshot, client(FakeServer.TOKEN).snapshot(ID));
        assertEquals(List.of("GET /v1/snapshots/" + ID), server.requests);
    }

    @Test
    void resolvesAViewNameFirst() throws IOException {
        assertEquals(snapshot, client(FakeServer.TOKEN).snapshot("latest"));
        assertEquals(List.of("GET /v1/views/latest", "GET /v1/snapshots/" + ID), server.requests);
    }

    @Test
    void wrongTokenSaysWhatToCheck() {
        ClientException e = assertThrows(ClientException.class, () -> client("wrong").snapshot(ID));
        assertEquals(ClientException.UNAUTHORIZED, e.code());
        assertEquals("server " + server.uri() + " refused the token (401); check --token-file or STACKSHARE_TOKEN",
                e.getMessage());
    }

    @Test
    void unknownSnapshotSaysWhereIdsComeFrom() {
        ClientException e = assertThrows(ClientException.class, () -> client(FakeServer.TOKEN).snapshot("fedcba9876543210"));
        assertEquals(ClientException.UNKNOWN_SNAPSHOT, e.code());
        assertEquals("unknown snapshot fedcba9876543210 on " + server.uri()
                + "; `stackshare publish` prints valid ids, or use --snapshot latest", e.getMessage());
    }

    @Test
    void unknownViewIsReported() {
        ClientException e = assertThrows(ClientException.class, () -> client(FakeServer.TOKEN).snapshot("nightly"));
        assertEquals(ClientException.UNKNOWN_VIEW, e.code());
        assertTrue(e.getMessage().startsWith("unknown view nightly on " + server.uri()), e.getMessage());
    }

    @Test
    void nonsenseNameIsRefusedWithoutARequest() {
        ClientException e = assertThrows(ClientException.class, () -> client(FakeServer.TOKEN).snapshot("no/such"));
        assertEquals(ClientException.BAD_NAME, e.code());
        assertEquals(List.of(), server.requests);
    }

    @Test
    void unreachableServerSaysWhatToCheck() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ServerClient client = new ServerClient(URI.create("http://127.0.0.1:" + port), "t", Duration.ofSeconds(2), counters);
        ClientException e = assertThrows(ClientException.class, () -> client.snapshot(ID));
        assertEquals(ClientException.UNREACHABLE, e.code());
        assertTrue(e.unreachable());
        assertEquals("cannot reach server http://127.0.0.1:" + port
                + ": connection refused; is `stackshare serve` running there, and is the URL right?", e.getMessage());
        assertEquals(3, counters.snapshot().requests(), "retried with backoff");
    }

    @Test
    void unknownHostSaysSo() {
        ServerClient client = new ServerClient(URI.create("http://no-such-host.invalid:7878"), "t", Duration.ofSeconds(2), counters);
        ClientException e = assertThrows(ClientException.class, () -> client.stats());
        assertEquals(ClientException.UNREACHABLE, e.code());
        assertTrue(e.getMessage().contains("unknown host"), e.getMessage());
    }

    @Test
    void trailingSlashInTheUrlIsHarmless() throws IOException {
        ServerClient client = new ServerClient(URI.create(server.uri() + "/"), FakeServer.TOKEN, Duration.ofSeconds(5));
        assertEquals(snapshot, client.snapshot(ID));
        assertEquals(server.uri(), client.server());
    }

    @Test
    void statsAndPublish() throws IOException {
        ServerClient client = client(FakeServer.TOKEN);
        assertEquals(1, client.stats().snapshots());
        assertEquals(snapshot, client.publish("default"));
        assertEquals(snapshot, client.publish(null));
    }

    @Test
    void objectsAreInflatedAndVerified() throws IOException {
        ObjectSource source = new VerifyingObjectSource(new HttpObjectSource(client(FakeServer.TOKEN)), "test");
        assertArrayEquals("hello\n".getBytes(), source.get(small.content()));
        ClientStats stats = counters.snapshot();
        assertEquals(1, stats.objectsFetched());
        assertEquals(server.frames.get(small.content()).length, stats.bytesFetched());
    }

    @Test
    void aTamperedObjectIsRejected() {
        server.frames.put(small.content(), Compression.compress("evil\n".getBytes()));
        ObjectSource source = new VerifyingObjectSource(new HttpObjectSource(client(FakeServer.TOKEN)), "test");
        assertThrows(DigestMismatchException.class, () -> source.get(small.content()));
    }

    @Test
    void unknownObjectIsReportedWithItsDigest() {
        Digest unknown = Digest.of(new byte[] {42});
        ClientException e = assertThrows(ClientException.class, () -> new HttpObjectSource(client(FakeServer.TOKEN)).get(unknown));
        assertEquals(ClientException.UNKNOWN_OBJECT, e.code());
        assertTrue(e.getMessage().contains(unknown.hex()), e.getMessage());
    }

    @Test
    void batchFetchesManyObjectsInOneRequestPerBatch() throws IOException {
        List<Digest> wanted = new ArrayList<>(objects.objects.keySet());
        Map<Digest, byte[]> all = new HttpObjectSource(client(FakeServer.TOKEN), 3).getAll(wanted);

        assertEquals(wanted.size(), all.size());
        all.forEach((d, raw) -> assertArrayEquals(objects.objects.get(d), raw));
        assertEquals((wanted.size() + 2) / 3, server.requests("POST " + Api.BATCH));
    }

    @Test
    void batchWithAMissingObjectFails() {
        Digest unknown = Digest.of(new byte[] {43});
        ClientException e = assertThrows(ClientException.class,
                () -> new HttpObjectSource(client(FakeServer.TOKEN)).getAll(List.of(small.content(), unknown)));
        assertEquals(ClientException.UNKNOWN_OBJECT, e.code());
        assertTrue(e.getMessage().contains(unknown.hex()), e.getMessage());
    }

    @Test
    void treeStreamsEveryMetadataObject() throws IOException {
        List<BatchStream.Item> items = new ArrayList<>();
        client(FakeServer.TOKEN).tree(ID, items::add);
        assertEquals(objects.metadata.size(), items.size());
        for (BatchStream.Item item : items) {
            assertEquals(item.digest(), Digest.of(Compression.decompress(item.frame())));
        }
        assertEquals(objects.metadata.size(), counters.snapshot().objectsFetched());
    }

    @Test
    void rejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new ServerClient(URI.create("ftp://h"), "t", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new ServerClient(server.uri(), " ", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new ServerClient(server.uri(), "t", Duration.ZERO));
    }

    @Test
    void overloadedAnswersWithRetryAfterAreWaitedOutAndCounted() throws IOException {
        server.refuseOverloaded.set(3);
        byte[] frame = client(FakeServer.TOKEN).object(small.content());
        assertArrayEquals("hello\n".getBytes(), Compression.decompress(frame));
        assertEquals(4, server.requests("GET /v1/objects/"));
        assertEquals(3, counters.overloadRetries());
        assertEquals(4, counters.snapshot().requests());
    }

    @Test
    void overloadedBatchIsSentAgainWholeAndEveryItemArrives() throws IOException {
        server.refuseOverloaded.set(2);
        List<Digest> got = new ArrayList<>();
        client(FakeServer.TOKEN).batch(List.of(small.content(), big.content()), item -> got.add(item.digest()));
        assertEquals(List.of(small.content(), big.content()), got);
        assertEquals(2, counters.overloadRetries());
    }

    @Test
    void overloadPastTheRetryBoundIsAClearError() {
        server.refuseOverloaded.set(OverloadRetry.MAX_RETRIES + 1);
        ClientException e = assertThrows(ClientException.class, () -> client(FakeServer.TOKEN).object(small.content()));
        assertEquals(Api.OVERLOADED, e.code());
        assertTrue(e.getMessage().contains("overloaded") && e.getMessage().contains("503"), e.getMessage());
        assertEquals(OverloadRetry.MAX_RETRIES + 1, server.requests("GET /v1/objects/"));
    }

    @Test
    void a503WithoutRetryAfterIsNotRetried() {
        server.refuseOverloaded.set(1);
        server.retryAfter = false;
        assertThrows(ClientException.class, () -> client(FakeServer.TOKEN).object(small.content()));
        assertEquals(1, server.requests("GET /v1/objects/"));
        assertEquals(0, counters.overloadRetries());
    }
}
