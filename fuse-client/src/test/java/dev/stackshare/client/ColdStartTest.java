package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ColdStartTest {
    private static final String ID = "0123456789abcdef";
    private final TestSnapshot objects = new TestSnapshot();
    private FakeServer server;
    private Snapshot snapshot;
    @TempDir
    Path cache;

    @BeforeEach
    void start() throws IOException {
        Entry.File a = objects.file("a.py", 0644, "import b\n".getBytes());
        Entry.File b = objects.file("b.py", 0644, "x = 1\n".getBytes());
        Entry.File lib = objects.file("lib.so", 0755, TestSnapshot.bytes(3 * TestSnapshot.CHUNK_SIZE + 5, 3));
        snapshot = objects.snapshot(ID, objects.dir("home", objects.dir("pkg", a, b, lib)));
        server = new FakeServer().serve(objects, snapshot);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ColdStart.Result run(List<ColdStart.FileRead> files, AtomicInteger latencies) throws IOException {
        return ColdStart.run(new ColdStart.Options(server.uri(), FakeServer.TOKEN, "latest", cache, files, 100,
                1 << 20, Duration.ofSeconds(5)), nanos -> latencies.incrementAndGet());
    }

    @Test
    void resolvesTheViewFetchesTheTreeAndReadsEveryFileExactly() throws IOException {
        AtomicInteger latencies = new AtomicInteger();
        ColdStart.Result r = run(List.of(), latencies);
        assertEquals(ID, r.snapshotId());
        assertEquals(3, r.files());
        assertEquals(1 + 1 + 4, r.chunks());
        assertEquals(0, r.wrongChunks());
        assertEquals(1, server.requests("GET /v1/views/latest"));
        assertEquals(1, server.requests("GET /v1/snapshots/" + ID + "/tree"));
        assertTrue(latencies.get() >= 6, "every chunk fetched was timed: " + latencies.get());
    }

    @Test
    void aPrefixReadsOnlyTheChunksThatCoverIt() throws IOException {
        ColdStart.Result r = run(List.of(ColdStart.FileRead.parse("/home/pkg/lib.so\t" + (TestSnapshot.CHUNK_SIZE + 1)),
                ColdStart.FileRead.parse("/home/pkg/a.py")), new AtomicInteger());
        assertEquals(2, r.files());
        assertEquals(2 + 1, r.chunks());
        assertEquals(2L * TestSnapshot.CHUNK_SIZE + "import b\n".length(), r.bytes());
    }

    @Test
    void overloadedAnswersAreRetriedAndCounted() throws IOException {
        server.refuseOverloaded.set(2);
        ColdStart.Result r = run(List.of(), new AtomicInteger());
        assertEquals(3, r.files());
        assertEquals(2, r.overloadRetries());
    }

    @Test
    void aPathThatIsNotAFileIsAClearError() {
        ClientException e = assertThrows(ClientException.class,
                () -> run(List.of(ColdStart.FileRead.whole("/home/pkg")), new AtomicInteger()));
        assertTrue(e.getMessage().contains("/home/pkg is not a file"), e.getMessage());
    }

    @Test
    void workingSetLinesAreAPathOrAPathAndBytes() {
        assertEquals(ColdStart.FileRead.whole("/a b/c"), ColdStart.FileRead.parse("/a b/c"));
        assertEquals(new ColdStart.FileRead("/a/c.so", 4096), ColdStart.FileRead.parse("/a/c.so\t4096"));
        assertThrows(IllegalArgumentException.class, () -> ColdStart.FileRead.parse("/a/c.so\tmany"));
        assertThrows(IllegalArgumentException.class, () -> ColdStart.FileRead.parse("relative/path"));
    }
}
