package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Lifecycle;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server never serves a byte outside its roots, over real HTTP: path tricks on the wire,
 * malformed digests, a symlink swapped in after publish, and digests guessed for content that
 * is excluded, outside the roots, or only in a snapshot gc removed. The rule: an object is
 * served only if a snapshot the server keeps reaches it (docs/security.md).
 */
class ServesOnlyItsRootsIT {
    private static final byte[] SWAPPED = "the published bytes of a stable file, later swapped for a symlink\n"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    Path stack;
    Path wt;
    Path outside;
    StackshareServer server;
    ApiClient client;
    String passwd;

    @BeforeEach
    void start() throws IOException {
        stack = tmp.resolve("home/alice/stack");
        Trees.sampleTree(stack);
        Trees.file(stack, "lib/swap/libswap.so", SWAPPED);
        Trees.file(stack, "lib/dirswap/inner/mod.py", "in a directory later swapped for a symlink\n");
        Trees.file(stack, "conf/site.secret", "stable-excluded-content\n");
        wt = tmp.resolve("home/alice/wt");
        Files.createDirectories(wt.resolve(".git"));
        Trees.file(wt, "pkg/core.py", "VERSION = 1\n");
        Trees.file(wt, "pkg/api.secret", "live-excluded-content\n");
        outside = Files.createDirectories(tmp.resolve("outside"));
        passwd = Files.readString(Path.of("/etc/passwd"));
        System.setProperty("stackshare.stableCacheSettleNanos", "0"); // cache stable frames at once: the worst case
        try {
            server = StackshareServer.start(new ServerConfig(List.of(stack, wt), new InetSocketAddress("127.0.0.1", 0),
                    tmp.resolve("state"), null, List.of("*.secret"), Map.of()));
        } finally {
            System.clearProperty("stackshare.stableCacheSettleNanos");
        }
        client = ApiClient.of(server);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Digest content(Snapshot s, Path path) throws IOException {
        return ((Entry.File) ApiClientWalk.entry(client, s, path)).content();
    }

    private String code(HttpResponse<byte[]> r) throws IOException {
        return Json.read(r.body(), Api.ErrorBody.class).code();
    }

    /** GET and batch both refuse the digest; the batch answers it MISSING. */
    private void assertNotServed(Digest d, String why) throws IOException {
        HttpResponse<byte[]> r = client.get("/v1/objects/" + d.hex());
        assertTrue(r.statusCode() == 404 || r.statusCode() == 409, why + ": GET answered " + r.statusCode());
        HttpResponse<byte[]> batch = client.post("/v1/objects:batch", d.hex() + "\n");
        assertEquals(200, batch.statusCode());
        assertNull(ApiClient.items(batch.body()).get(0).frame(), why + ": batch answers it missing");
    }

    @Test
    void pathTricksAndMalformedDigestsAreRefusedBeforeTheDisk() throws IOException {
        String hex = content(server.firstSnapshot(), wt.resolve("pkg/core.py")).hex();
        String id = server.firstSnapshot().id();
        List<String> paths = new ArrayList<>(List.of(
                "/v1/objects/../../../etc/passwd", "/v1/objects/..%2f..%2fetc%2fpasswd", "/v1/objects/..%2F..%2Fetc%2Fpasswd",
                "/v1/objects/%2e%2e/%2e%2e/etc/passwd", "/v1/objects/.%2e/token", "/v1/objects/%252e%252e%252ftoken",
                "/v1/objects//etc/passwd", "/v1/objects/" + hex + "/../../token", "/v1/objects/..\\..\\token",
                "/v1/objects/" + hex + "%00", "/v1/objects/" + hex + ";/../token", "/v1/objects/./" + hex,
                "/etc/passwd", "//etc/passwd", "http://x/etc/passwd", "file:///etc/passwd", "*", "../v1/objects/" + hex,
                "/v1/snapshots/../../token", "/v1/snapshots/..%2F..%2Fstate/tree", "/v1/snapshots/" + id + "/../../token",
                "/v1/snapshots/" + id + "/../../token/tree", "/v1/snapshots/../x/trace", "/v1/snapshots/.." + id,
                "/v1/views/..", "/v1/views/../token", "/v1/views/%2e%2e", "/v1/views/.token", "/v1/views/a/../../token",
                "/v1/views/default/../../token", "/v1/packs/../objects/" + hex, "/v1/packs/" + hex + "/..",
                "/v1/objects/" + hex.substring(1), "/v1/objects/" + hex + "0", "/v1/objects/" + hex.toUpperCase(),
                "/v1/objects/" + "g".repeat(64), "/v1/objects/" + "\uff10".repeat(64), "/v1/objects/", "/v1/objects/0x" + hex,
                "/v1/objects/" + hex.substring(0, 63) + " ", "/v1/objects/" + "0".repeat(3000),
                "/v1/objects/sha256:" + hex, "/v1/snapshots/" + id.toUpperCase(), "/v1/snapshots/" + id + "0"));
        int refused = 0;
        for (String path : paths) {
            String answer = client.raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + client.token()
                    + "\r\nConnection: close\r\n\r\n", 1);
            String status = answer.length() >= 12 ? answer.substring(9, 12) : answer;
            assertTrue(List.of("400", "404", "405", "414", "431").contains(status), path + " -> " + answer);
            assertFalse(answer.contains(passwd.substring(0, Math.min(20, passwd.length()))), path + " leaked /etc/passwd");
            assertFalse(answer.contains(client.token()), path + " leaked the token");
            refused++;
        }
        assertEquals(paths.size(), refused);
        System.out.println("path tricks and malformed names refused: " + refused);
    }

    @Test
    void aStableFileSwappedForASymlinkToTheSameBytesOutsideTheRootIsNotFollowed() throws IOException {
        Snapshot first = server.firstSnapshot();
        Digest d = content(first, stack.resolve("lib/swap/libswap.so"));
        assertArrayEquals(SWAPPED, client.object(d), "served while the file is the published one (and its frame cached)");

        Path copy = Files.write(outside.resolve("libswap.so"), SWAPPED);
        Files.delete(stack.resolve("lib/swap/libswap.so"));
        Files.createSymbolicLink(stack.resolve("lib/swap/libswap.so"), copy);
        HttpResponse<byte[]> r = client.get("/v1/objects/" + d.hex());
        assertEquals(409, r.statusCode(), "a symlink is never followed, even to the right bytes");
        assertEquals("changed-since-publish", code(r));
        assertNotServed(d, "file swapped for a symlink");

        Files.delete(stack.resolve("lib/swap/libswap.so"));
        Files.createSymbolicLink(stack.resolve("lib/swap/libswap.so"), Path.of("/etc/passwd"));
        assertNotServed(d, "file swapped for a symlink to /etc/passwd");
    }

    @Test
    void aDirectorySwappedForASymlinkOutsideTheRootIsNotFollowed() throws IOException {
        Snapshot first = server.firstSnapshot();
        Path inner = stack.resolve("lib/dirswap/inner");
        Digest d = content(first, inner.resolve("mod.py"));
        // Not read before the swap: the verifying read itself must refuse the new path.
        Path elsewhere = Files.createDirectories(outside.resolve("inner"));
        Files.copy(inner.resolve("mod.py"), elsewhere.resolve("mod.py"));
        Files.delete(inner.resolve("mod.py"));
        Files.delete(inner);
        Files.createSymbolicLink(inner, elsewhere);
        assertTrue(Files.isRegularFile(inner.resolve("mod.py")), "the same path now resolves outside the root");
        HttpResponse<byte[]> r = client.get("/v1/objects/" + d.hex());
        assertEquals(409, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertNotServed(d, "parent directory swapped for a symlink");
    }

    @Test
    void excludedFilesAreNotServedByTheirDigest() throws IOException {
        for (String content : List.of("stable-excluded-content\n", "live-excluded-content\n")) {
            Digest d = Digest.of(content.getBytes(StandardCharsets.UTF_8));
            assertNotServed(d, "excluded " + content.strip());
            assertEquals("not-found", code(client.get("/v1/objects/" + d.hex())));
        }
        assertNotServed(Digest.of(Files.readAllBytes(server.tokenFile())), "the token file");
        assertNotServed(Digest.of(Files.readAllBytes(Path.of("/etc/passwd"))), "/etc/passwd");
    }

    @Test
    void objectsOnlyASnapshotRemovedByGcReachedAreNotServedNotEvenFromABuiltPack() throws Exception {
        Snapshot first = server.firstSnapshot();
        Digest live = content(first, wt.resolve("pkg/core.py"));
        Digest stable = content(first, stack.resolve("lib/swap/libswap.so"));
        assertArrayEquals("VERSION = 1\n".getBytes(StandardCharsets.UTF_8), client.object(live));
        assertArrayEquals(SWAPPED, client.object(stable), "served once, so its frame is cached");
        // A pack of the first snapshot's trace, built before gc.
        HttpResponse<byte[]> put = client.send(HttpRequest.newBuilder(server.url().resolve(
                        "/v1/snapshots/" + first.id() + "/trace"))
                .header("Authorization", "Bearer " + client.token())
                .PUT(HttpRequest.BodyPublishers.ofString(live.hex() + "\n" + stable.hex() + "\n")));
        assertEquals(200, put.statusCode(), new String(put.body(), StandardCharsets.UTF_8));
        Digest pack = Digest.of((live.hex() + "\n" + stable.hex() + "\n").getBytes(StandardCharsets.US_ASCII));
        List<dev.stackshare.protocol.BatchStream.Item> built = ApiClient.items(client.get("/v1/packs/" + pack.hex()).body());
        assertEquals(2, built.stream().filter(i -> !i.missing()).count());
        assertEquals(2, ApiClient.items(client.get("/v1/packs/" + pack.hex()).body()).stream()
                .filter(i -> !i.missing()).count(), "read back from the built pack file");

        // The live file changes, the stable one moves out of the root (its bytes intact); a new snapshot; gc.
        Files.writeString(wt.resolve("pkg/core.py"), "VERSION = 2\n");
        Files.move(stack.resolve("lib/swap/libswap.so"), outside.resolve("moved.so"));
        Snapshot second = server.publish(null);
        HttpResponse<byte[]> gc = client.post(Lifecycle.GC, new String(Json.write(new Lifecycle.GcRequest(1, 0, true, false))));
        assertEquals(200, gc.statusCode(), new String(gc.body(), StandardCharsets.UTF_8));
        assertEquals(List.of(first.id()), Json.read(gc.body(), Lifecycle.GcReport.class).removed());

        assertNotServed(live, "live content only the removed snapshot had");
        assertNotServed(stable, "stable content only the removed snapshot had");
        assertEquals("not-found", code(client.get("/v1/objects/" + stable.hex())));
        assertEquals(404, client.get("/v1/snapshots/" + first.id()).statusCode());
        assertEquals(404, client.get("/v1/snapshots/" + first.id() + "/tree").statusCode());
        HttpResponse<byte[]> again = client.get("/v1/packs/" + pack.hex());
        assertEquals(200, again.statusCode());
        assertTrue(ApiClient.items(again.body()).stream().allMatch(i -> i.missing()),
                "the pack file still holds the bytes, but the server no longer serves them");
        assertArrayEquals("VERSION = 2\n".getBytes(StandardCharsets.UTF_8), client.object(content(second, wt.resolve("pkg/core.py"))));
    }
}
