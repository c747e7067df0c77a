package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.client.MountOptions;
import dev.stackshare.client.MountedSnapshot;
import dev.stackshare.client.Mounter;
import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Snapshot;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The developer's loop with real FUSE mounts and a real server: a job records a trace on the
 * first snapshot, a file is edited and published, and the first mount of the new snapshot,
 * before any read, fetches what that job read as one pack; every file reads as it is now.
 */
class BorrowedTraceIT {
    private static final int FILES = 30;

    @TempDir
    Path base;

    @Test
    void theFirstMountAfterAPublishPrefetchesTheViewsLastTrace() throws Exception {
        Path stack = Files.createDirectories(base.resolve("stack/lib/pkg"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(stack.resolve(String.format("mod%02d.py", i)), "module " + i + "\n".repeat(i + 1));
        }
        try (StackshareServer server = StackshareServer.start(new ServerConfig(List.of(base.resolve("stack")),
                new InetSocketAddress("127.0.0.1", 0), base.resolve("state"), Api.DEFAULT_VIEW))) {
            String token = Files.readString(server.tokenFile()).strip();
            Snapshot first = server.firstSnapshot();
            try (MountedSnapshot m = mount(server, token, first.id(), true, false)) {
                for (int i = 0; i < FILES; i += 3) {
                    Files.readString(in(m, stack, i));
                }
            }
            Files.writeString(stack.resolve("mod00.py"), "module 0, edited\n");
            Snapshot second = server.publish(Api.DEFAULT_VIEW);
            assertNotEquals(first.id(), second.id());
            HttpResponse<String> trace = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    server.url().resolve(Api.SNAPSHOTS + "/" + second.id() + Api.TRACE_SUFFIX))
                    .header("Authorization", Api.BEARER + token).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, trace.statusCode(), trace.body());
            assertEquals(first.id(), trace.headers().firstValue(Api.TRACE_OF_HEADER).orElse(null));

            Api.ServerStats before = server.stats();
            try (MountedSnapshot m = mount(server, token, second.id(), false, true)) {
                // The edited file's old bytes are gone from this stable root: the pack has one object less.
                awaitPack(m, server, before.objectsServed() + FILES / 3 - 1);
                assertEquals("module 0, edited\n", Files.readString(in(m, stack, 0)), "the edited file as it is now");
                for (int i = 1; i < FILES; i++) {
                    assertEquals(Files.readString(stack.resolve(String.format("mod%02d.py", i))),
                            Files.readString(in(m, stack, i)));
                }
            }
        }
    }

    private MountedSnapshot mount(StackshareServer server, String token, String snapshot, boolean record,
                                  boolean prefetch) throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        Path cache = Files.createTempDirectory(base, "cache");
        return Mounter.mount(new MountOptions(server.url(), token, snapshot, cache, mnt, 64L << 20)
                .withTrace(record, prefetch));
    }

    private static Path in(MountedSnapshot m, Path dir, int module) {
        return m.mountpoint().resolve(dir.toString().substring(1)).resolve(String.format("mod%02d.py", module));
    }

    /**
     * The prefetch runs beside the mount: waits (boundedly) until its one request, the borrowed
     * trace's pack, has brought the objects the first job read.
     */
    private static void awaitPack(MountedSnapshot m, StackshareServer server, long served) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.stats().objectsServed() < served && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(server.stats().objectsServed() >= served, "the borrowed trace's objects were not served within 10 s");
        assertEquals(1, m.packRequests(), "the borrowed trace came as one pack");
    }
}
