package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several server URLs: content from the first that answers, views and traces from the origin. */
class ServerClientFailoverTest {
    private static final String ID = "0123456789abcdef";
    private final TestSnapshot objects = new TestSnapshot();
    private final Counters counters = new Counters();
    private final AtomicLong now = new AtomicLong();
    private FakeServer cache;
    private FakeServer origin;
    private HttpServer broken;
    /** Paths the broken cache was asked for. */
    private final List<String> brokenAsked = new CopyOnWriteArrayList<>();
    private Entry.File small;
    private Entry.File other;

    @BeforeEach
    void start() throws IOException {
        small = objects.file("small.txt", 0644, "hello\n".getBytes());
        other = objects.file("other.txt", 0644, "other\n".getBytes());
        Snapshot snapshot = objects.snapshot(ID, objects.dir("home", objects.dir("a", small, other)));
        cache = new FakeServer().serve(objects, snapshot);
        origin = new FakeServer().serve(objects, snapshot);
        broken = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broken.createContext("/", exchange -> {
            brokenAsked.add(exchange.getRequestURI().getPath());
            exchange.getRequestBody().readAllBytes();
            byte[] body = "<html>502 Bad Gateway</html>".getBytes();
            exchange.sendResponseHeaders(502, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        broken.start();
    }

    @AfterEach
    void stop() {
        cache.close();
        origin.close();
        broken.stop(0);
    }

    private ServerClient client(URI... servers) {
        return new ServerClient(new ServerUrls(List.of(servers), now::get), FakeServer.TOKEN, Duration.ofSeconds(5), counters);
    }

    private URI brokenUri() {
        return URI.create("http://127.0.0.1:" + broken.getAddress().getPort());
    }

    private static URI deadUri() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    @Test
    void contentComesFromTheFirstServerAndViewsFromTheOrigin() throws IOException {
        ServerClient client = client(cache.uri(), origin.uri());
        client.snapshot("latest");
        client.object(small.content());
        client.batch(List.of(small.content(), other.content()), item -> { });

        assertEquals(List.of("GET /v1/views/latest"), origin.requests);
        assertEquals(List.of("GET /v1/snapshots/" + ID, "GET /v1/objects/" + small.content().hex(),
                "POST /v1/objects:batch"), cache.requests);
        assertEquals(origin.uri(), client.server());
        assertEquals(List.of(cache.uri(), origin.uri()), client.servers());
    }

    @Test
    void traceUploadsStatsAndPublishGoToTheOrigin() throws IOException {
        ServerClient client = client(cache.uri(), origin.uri());
        // The fake server has no trace route (404); what matters here is where the upload went.
        assertThrows(ClientException.class, () -> client.putTrace(ID, List.of(small.content())));
        client.stats();
        client.publish(null);

        assertEquals(List.of(), cache.requests);
        assertEquals(3, origin.requests.size(), origin.requests.toString());
    }

    @Test
    void aDeadCacheFailsOverToTheOriginAndIsPassedOverWhileItBacksOff() throws IOException {
        ServerClient client = client(deadUri(), origin.uri());
        assertArrayEquals(objects.objects.get(small.content()), dev.stackshare.protocol.Compression.decompress(
                client.object(small.content())));
        long requestsAfterFirst = counters.snapshot().requests();
        assertEquals(2, requestsAfterFirst, "one refused connection, then the origin");

        client.object(other.content());
        assertEquals(requestsAfterFirst + 1, counters.snapshot().requests(), "the dead cache is not asked again yet");
        assertEquals(2, origin.requests("GET /v1/objects/"));
    }

    @Test
    void a5xxFromTheCacheFailsOverAndTheCacheIsAskedAgainAfterItsBackOff() throws IOException {
        ServerClient client = client(brokenUri(), origin.uri());
        List<Digest> streamed = new ArrayList<>();
        client.batch(List.of(small.content(), other.content()), item -> streamed.add(item.digest()));
        assertEquals(List.of(small.content(), other.content()), streamed, "a stream fails over before its body");
        client.object(small.content());
        assertEquals(List.of("/v1/objects:batch"), brokenAsked);

        now.addAndGet(ServerUrls.FIRST_BACKOFF.toNanos());
        client.object(other.content());
        assertEquals(2, brokenAsked.size(), "asked again once the back-off ended: " + brokenAsked);
        assertEquals(3, origin.requests.size(), origin.requests.toString());
    }

    @Test
    void notFoundFromTheCacheIsFinalNotAFailover() throws IOException {
        ServerClient client = client(cache.uri(), origin.uri());
        Digest unknown = Digest.of("nobody has this".getBytes());
        ClientException e = assertThrows(ClientException.class, () -> client.object(unknown));
        assertEquals(ClientException.UNKNOWN_OBJECT, e.code());
        assertTrue(e.getMessage().contains(cache.uri().toString()), "names the server that answered: " + e.getMessage());
        assertEquals(List.of(), origin.requests);
    }

    @Test
    void whenEveryServerIsDownTheErrorNamesTheOrigin() throws IOException {
        URI deadOrigin = deadUri();
        ServerClient client = client(deadUri(), deadOrigin);
        ClientException e = assertThrows(ClientException.class, () -> client.object(small.content()));
        assertEquals(ClientException.UNREACHABLE, e.code());
        assertTrue(e.getMessage().startsWith("cannot reach server " + deadOrigin), e.getMessage());
    }

    @Test
    void the5xxOfTheLastServerIsTheAnswer() {
        ServerClient client = client(brokenUri());
        ClientException e = assertThrows(ClientException.class, () -> client.object(small.content()));
        assertTrue(e.getMessage().contains("502"), e.getMessage());
        assertEquals(1, brokenAsked.size());
    }
}
