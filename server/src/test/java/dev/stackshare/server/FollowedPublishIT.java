package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/snapshots with Accept: application/x-ndjson on a real server: progress lines, then the snapshot. */
class FollowedPublishIT {
    @TempDir
    Path tmp;
    Path stack;
    StackshareServer server;
    ApiClient client;

    @BeforeEach
    void setUp() throws IOException {
        stack = tmp.resolve("stack");
        for (int i = 0; i < 300; i++) {
            Trees.file(stack, "pkg" + (i % 7) + "/m" + i + ".py", "x = " + i + "\n");
        }
        Trees.file(stack, "lib/big.so", Trees.randomBytes(3 * 512 * 1024 + 7, 5));
        sleepPastTheRacyWindow();
        server = StackshareServer.start(new ServerConfig(List.of(stack), new InetSocketAddress("127.0.0.1", 0),
                tmp.resolve("state"), null));
        client = ApiClient.of(server);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /** Files written within {@link PublishIndex#RACY_WINDOW_NANOS} of a publish are read again by the next one. */
    private static void sleepPastTheRacyWindow() {
        try {
            Thread.sleep(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(PublishIndex.RACY_WINDOW_NANOS) + 100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Api.PublishEvent> followedPublish(String body) throws IOException {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(server.url().resolve(Api.SNAPSHOTS))
                .header("Authorization", "Bearer " + Files.readString(server.tokenFile()).strip())
                .header("Accept", Api.EVENTS_CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(Api.EVENTS_CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), text);
        List<Api.PublishEvent> events = new ArrayList<>();
        for (String line : text.split("\n")) {
            events.add(Json.read(line.getBytes(StandardCharsets.UTF_8), Api.PublishEvent.class));
        }
        return events;
    }

    @Test
    void progressLinesThenTheSnapshotWithTheFinalCounts() throws IOException {
        Trees.file(stack, "pkg0/m0.py", "x = 'edited'\n");
        List<Api.PublishEvent> events = followedPublish("");
        Api.PublishEvent last = events.get(events.size() - 1);
        for (Api.PublishEvent e : events.subList(0, events.size() - 1)) {
            assertNotNull(e.progress());
            assertNull(e.snapshot());
            assertNull(e.error());
        }
        Snapshot s = last.snapshot();
        assertNotNull(s);
        assertNull(last.error());
        assertNotEquals(server.firstSnapshot().id(), s.id());
        assertEquals(s, client.snapshot(s.id()), "the streamed record is the stored one");
        Api.PublishProgress p = last.progress();
        assertTrue(p.walked());
        assertEquals(301, p.filesSeen());
        assertEquals(s.roots().get(0).bytes(), p.bytesSeen());
        assertEquals(1, p.filesToHash(), "the index vouched for every file but the edited one");
        assertEquals(1, p.filesHashed());
    }

    @Test
    void aFailedPublishEndsTheStreamWithItsError() throws IOException {
        try (var files = Files.walk(stack)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        List<Api.PublishEvent> events = followedPublish("");
        Api.PublishEvent last = events.get(events.size() - 1);
        assertNull(last.snapshot());
        assertEquals("publish-failed", last.error().code());
        assertTrue(last.error().message().contains("is gone"), last.error().message());
    }

    @Test
    void badViewIsAPlainErrorAndAPlainRequestStillGetsTheRecord() throws IOException {
        HttpResponse<byte[]> bad = client.send(HttpRequest.newBuilder(server.url().resolve(Api.SNAPSHOTS))
                .header("Authorization", "Bearer " + Files.readString(server.tokenFile()).strip())
                .header("Accept", Api.EVENTS_CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString("{\"view\": \"latest\"}")));
        assertEquals(400, bad.statusCode());
        assertEquals("bad-view", Json.read(bad.body(), Api.ErrorBody.class).code());

        HttpResponse<byte[]> plain = client.post(Api.SNAPSHOTS, "");
        assertEquals(200, plain.statusCode());
        assertTrue(plain.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        assertTrue(Snapshot.isId(Json.read(plain.body(), Snapshot.class).id()));
    }
}
