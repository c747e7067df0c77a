package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.client.MountOptions;
import dev.stackshare.client.MountedSnapshot;
import dev.stackshare.client.Mounter;
import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Digest;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What makes a cold start fast, counted on a real server's /v1/stats with a real FUSE mount:
 * a directory's small files in one batch, and a recorded trace published at unmount and fetched
 * by the next mount in one batch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartupIT {
    private static final int MODULES = 40;
    private static final int EGG_INFOS = 4;
    private static final int CHUNK = 512 * 1024;

    @TempDir
    static Path base;
    Path stack;
    StackshareServer server;
    String token;

    @BeforeAll
    void startServer() throws Exception {
        stack = base.resolve("stack");
        for (String pkg : List.of("alpha", "beta", "gamma")) {
            Path dir = Files.createDirectories(stack.resolve("lib/" + pkg));
            for (int i = 0; i < MODULES; i++) {
                // Names differ between packages: a name read in two sibling directories is a guess of its own (below).
                Files.writeString(dir.resolve(String.format("%smod%02d.py", pkg.charAt(0), i)), pkg + " module " + i + "\n".repeat(i + 1));
            }
        }
        for (int i = 0; i < EGG_INFOS; i++) {
            Path dir = Files.createDirectories(stack.resolve("site/p" + i + "-1.0.egg-info"));
            Files.writeString(dir.resolve("PKG-INFO"), "Name: p" + i + "\nVersion: 1.0\n");
            Files.writeString(dir.resolve("SOURCES.txt"), ("p" + i + "/module.py\n").repeat(50 + i));
        }
        byte[] big = new byte[3 * CHUNK + 100];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7 + (i >> 12));
        }
        Files.write(stack.resolve("lib/libbig.so"), big);
        server = StackshareServer.start(new ServerConfig(List.of(stack), new InetSocketAddress("127.0.0.1", 0),
                base.resolve("state"), Api.DEFAULT_VIEW));
        token = Files.readString(server.tokenFile()).strip();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private MountedSnapshot mount(Path cache, boolean record, boolean prefetch) throws IOException {
        Path mnt = Files.createTempDirectory(base, "mnt");
        return Mounter.mount(new MountOptions(server.url(), token, server.firstSnapshot().id(), cache, mnt, 64L << 20)
                .withTrace(record, prefetch));
    }

    private Path in(MountedSnapshot m, String relative) {
        return m.mountpoint().resolve(stack.toString().substring(1)).resolve(relative);
    }

    @Test
    void aDirectorysSmallFilesArriveInOneBatchOnTheFirstOpenThere() throws Exception {
        try (MountedSnapshot m = mount(Files.createTempDirectory(base, "cache"), false, false)) {
            Api.ServerStats before = server.stats();
            for (int i = 0; i < MODULES; i++) {
                String name = String.format("lib/alpha/amod%02d.py", i);
                assertEquals(Files.readString(stack.resolve(name)), Files.readString(in(m, name)));
            }
            Api.ServerStats after = server.stats();
            assertEquals(1, after.requests() - before.requests(), "40 files, one request");
            assertEquals(1, after.batchRequests() - before.batchRequests());
            assertEquals(MODULES, after.objectsServed() - before.objectsServed());

            // The next directory costs one request more, and only its own files.
            Files.readString(in(m, "lib/beta/bmod07.py"));
            Files.readString(in(m, "lib/beta/bmod08.py"));
            Api.ServerStats beta = server.stats();
            assertEquals(1, beta.requests() - after.requests());
            assertEquals(MODULES, beta.objectsServed() - after.objectsServed());
        }
    }

    @Test
    void aFileReadInTwoSiblingDirectoriesIsFetchedFromAllOfThemInOneBatch() throws Exception {
        try (MountedSnapshot m = mount(Files.createTempDirectory(base, "cache"), false, false)) {
            Api.ServerStats before = server.stats();
            for (int i = 0; i < 2; i++) {
                Files.readString(in(m, "site/p" + i + "-1.0.egg-info/PKG-INFO"));
            }
            // The first directory's own batch (PKG-INFO and SOURCES.txt), then one guess: the PKG-INFO of
            // the second directory, being read, and of the other two; the second's SOURCES.txt waits for a read.
            long deadline = System.nanoTime() + 10_000_000_000L;
            Api.ServerStats guessed = server.stats();
            while (guessed.objectsServed() - before.objectsServed() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                guessed = server.stats();
            }
            Thread.sleep(100); // time for a wrong extra batch to show
            guessed = server.stats();
            assertEquals(2, guessed.batchRequests() - before.batchRequests(), guessed.toString());
            assertEquals(5, guessed.objectsServed() - before.objectsServed(), guessed.toString());

            for (int i = 2; i < EGG_INFOS; i++) {
                assertEquals("Name: p" + i + "\nVersion: 1.0\n", Files.readString(in(m, "site/p" + i + "-1.0.egg-info/PKG-INFO")));
            }
            Api.ServerStats after = server.stats();
            assertEquals(guessed.requests(), after.requests(), "the scan's later reads found their files fetched");
            assertEquals(guessed.objectsServed(), after.objectsServed(), "and no SOURCES.txt came with them");
        }
    }

    @Test
    void aRecordedTraceIsPublishedAtUnmountAndTheNextMountFetchesItInOnePack() throws Exception {
        List<String> read = List.of("lib/gamma/gmod03.py", "lib/beta/bmod11.py", "lib/alpha/amod39.py");
        Set<Digest> expected = new HashSet<>();
        for (String name : read) {
            expected.add(Digest.of(Files.readAllBytes(stack.resolve(name))));
        }
        byte[] big = Files.readAllBytes(stack.resolve("lib/libbig.so"));
        // The tail chunk: a read there has nothing after it to read ahead.
        expected.add(Digest.of(Arrays.copyOfRange(big, 3 * CHUNK, big.length)));

        try (MountedSnapshot m = mount(Files.createTempDirectory(base, "cache"), true, false)) {
            for (String name : read) {
                Files.readString(in(m, name));
            }
            readTail(in(m, "lib/libbig.so"), big);
        }
        // close() returns after the mount process's unmount work, the trace's publication included
        List<Digest> trace = trace();
        assertEquals(expected, new HashSet<>(trace), "the trace is what the job read, not what batches brought");
        assertEquals(Digest.of(Files.readAllBytes(stack.resolve(read.get(0)))), trace.get(0), "first reads first");

        Api.ServerStats before = server.stats();
        try (MountedSnapshot m = mount(Files.createTempDirectory(base, "cache"), false, true)) {
            awaitServed(before.objectsServed() + expected.size());
            Api.ServerStats prefetched = server.stats();
            assertEquals(1, prefetched.batchRequests() - before.batchRequests(), "the trace in one request");
            assertEquals(1, m.packRequests(), "that request is the trace's pack, not a POST batch");
            try (var built = Files.walk(base.resolve("state/packs"))) {
                assertEquals(1, built.filter(p -> p.toString().endsWith(".pack")).count(), "the pack was built and kept");
            }
            for (String name : read) {
                assertEquals(Files.readString(stack.resolve(name)), Files.readString(in(m, name)));
            }
            readTail(in(m, "lib/libbig.so"), big);
            Api.ServerStats after = server.stats();
            assertEquals(prefetched.requests(), after.requests(), "the job's reads needed no request");
            assertEquals(prefetched.objectsServed(), after.objectsServed());
        }
    }

    private static void readTail(Path file, byte[] whole) throws IOException {
        byte[] got = new byte[whole.length - 3 * CHUNK];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(3L * CHUNK);
            f.readFully(got);
        }
        assertArrayEquals(Arrays.copyOfRange(whole, 3 * CHUNK, whole.length), got);
    }

    private List<Digest> trace() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        server.url().resolve(Api.SNAPSHOTS + "/" + server.firstSnapshot().id() + "/trace"))
                .header("Authorization", Api.BEARER + token).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
        assertEquals(200, r.statusCode(), r.body());
        List<Digest> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                out.add(new Digest(line.strip()));
            }
        }
        return out;
    }

    /** The prefetch runs beside the mount; wait (boundedly) until the server has sent the trace. */
    private void awaitServed(long objects) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.stats().objectsServed() < objects && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(server.stats().objectsServed() >= objects, "the trace prefetch did not finish within 10 s");
    }
}
