package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a directory's batch travels: its cacheable GET form when offered, POST otherwise or as the fallback. */
class HttpObjectSourceTest {
    private final TestSnapshot objects = new TestSnapshot();
    private FakeServer server;
    private HttpObjectSource source;
    private Entry.File a;
    private Entry.File b;
    private Entry.File c;
    private Entry.Dir pkg;

    @BeforeEach
    void start() throws IOException {
        a = objects.file("a.py", 0644, "a = 1\n".getBytes());
        b = objects.file("b.py", 0644, "b = 2\n".getBytes());
        c = objects.file("c.py", 0644, "c = 3\n".getBytes());
        pkg = objects.dir("pkg", a, b, c);
        Snapshot snapshot = objects.snapshot("0123456789abcdef", pkg);
        server = new FakeServer().serve(objects, snapshot);
        source = new HttpObjectSource(new ServerClient(server.uri(), FakeServer.TOKEN, Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String dirRequest() {
        return "GET " + Api.DIRS + pkg.tree().hex() + Api.DIR_FILES + TestSnapshot.CHUNK_SIZE;
    }

    private void assertRight(Map<Digest, byte[]> got, Entry.File... files) {
        assertEquals(files.length, got.size());
        for (Entry.File f : files) {
            assertArrayEquals(objects.objects.get(f.content()), got.get(f.content()));
        }
    }

    @Test
    void anOfferedDirectoryIsFetchedByItsGetFormOnce() throws IOException {
        source.offerDirectory(pkg.tree(), TestSnapshot.CHUNK_SIZE, List.of(a.content(), b.content(), c.content()));
        assertRight(source.getAll(List.of(b.content(), c.content())), b, c);
        assertEquals(List.of(dirRequest()), server.requests, "only what was asked for reaches the sink");

        assertRight(source.getAll(List.of(a.content(), c.content())), a, c);
        assertEquals("POST " + Api.BATCH, server.requests.get(1), "an offer is used once");
    }

    @Test
    void aFetchOutsideEveryOfferIsAPost() throws IOException {
        source.offerDirectory(pkg.tree(), TestSnapshot.CHUNK_SIZE, List.of(a.content(), b.content()));
        assertRight(source.getAll(List.of(a.content(), c.content())), a, c);
        assertEquals(List.of("POST " + Api.BATCH), server.requests);
    }

    @Test
    void aCutOffDirectoryAnswerIsCompletedByPost() throws IOException {
        server.cutDirectoryAnswers = true;
        source.offerDirectory(pkg.tree(), TestSnapshot.CHUNK_SIZE, List.of(a.content(), b.content(), c.content()));
        assertRight(source.getAll(List.of(a.content(), b.content(), c.content())), a, b, c);
        assertEquals(List.of(dirRequest(), "POST " + Api.BATCH), server.requests);
    }
}
