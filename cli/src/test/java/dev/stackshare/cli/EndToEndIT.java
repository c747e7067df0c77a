package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.client.MountOptions;
import dev.stackshare.client.MountedSnapshot;
import dev.stackshare.client.Mounter;
import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Snapshot;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with real parts: a real server on loopback, a real FUSE mount in this JVM,
 * real files, and real programs (diff, find, python3) reading the mount.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndIT {
    /** Several hundred MB and not a whole number of chunks, so the tail chunk is exercised. */
    static final long BIG_BYTES = 300L * 1024 * 1024 + 12_345;

    @TempDir
    static Path base;
    Path stack;
    Path worktree;
    StackshareServer server;
    String token;

    @BeforeAll
    void startServer() throws Exception {
        stack = base.resolve("stack");
        worktree = base.resolve("src/worktree");
        Trees.stack(stack, BIG_BYTES);
        Trees.worktree(worktree);
        server = StackshareServer.start(new ServerConfig(List.of(stack, worktree),
                new InetSocketAddress("127.0.0.1", 0), base.resolve("state"), Api.DEFAULT_VIEW));
        token = Files.readString(server.tokenFile()).strip();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private MountedSnapshot mount(String snapshot, Path cache) throws IOException {
        Path mnt = Files.createTempDirectory(base, "mnt");
        return Mounter.mount(new MountOptions(server.url(), token, snapshot, cache, mnt, 64L << 20));
    }

    private static Path inMount(MountedSnapshot m, Path original) {
        return m.mountpoint().resolve(original.toString().substring(1));
    }

    @Test
    void mountedTreeIsFaithfulToTheRootByDiffAndByStat() throws Exception {
        Path cache = Files.createTempDirectory(base, "cache");
        try (MountedSnapshot m = mount(server.firstSnapshot().id(), cache)) {
            for (Path root : List.of(stack, worktree)) {
                Path copy = inMount(m, root);
                Sh.Result diff = Sh.run(List.of("diff", "-r", "--no-dereference", "--exclude=.git",
                        root.toString(), copy.toString()));
                assertEquals(0, diff.exit(), "diff -r found differences:\n" + diff);
                assertEquals(statListing(root), statListing(copy), "stat fields differ for " + root);
            }
            assertTrue(Files.isExecutable(inMount(m, stack.resolve("bin/tool"))));
            Sh.Result ran = Sh.run(List.of(inMount(m, stack.resolve("bin/tool")).toString()));
            assertEquals("tool-ran\n", ran.out(), ran.toString());
            assertFalse(Files.exists(inMount(m, worktree.resolve(".git"))), ".git internals are left out");
        }
    }

    /** Every stat field the mount promises: type, permission bits, size, mtime (ns) and link target. */
    private static String statListing(Path root) throws Exception {
        Sh.Result r = Sh.run(List.of("find", root.toString(), "-name", ".git", "-prune", "-o",
                "-printf", "%P\\t%y\\t%m\\t%s\\t%T@\\t%l\\n"));
        assertEquals(0, r.exit(), r.toString());
        return Stream.of(r.out().split("\n")).sorted().reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void mountFetchesMetadataOnlyAndReadsFetchOnlyTheChunksTheyTouch() throws Exception {
        Path cache = Files.createTempDirectory(base, "cache");
        Api.ServerStats before = server.stats();
        try (MountedSnapshot m = mount(server.firstSnapshot().id(), cache)) {
            Api.ServerStats mounted = server.stats();
            assertEquals(before.objectsServed(), mounted.objectsServed(), "mount must not fetch file content");
            assertEquals(before.treesServed() + 1, mounted.treesServed(), "all metadata in one tree request");

            // stat and list everything: still no content
            try (Stream<Path> all = Files.walk(inMount(m, stack))) {
                assertTrue(all.count() > 50);
            }
            assertEquals(mounted.objectsServed(), server.stats().objectsServed(), "stat and readdir need no content");

            // a small file: its directory's small files (two) come in one batch request
            assertEquals("VALUE = 'from-the-stack'\n",
                    Files.readString(inMount(m, stack.resolve("lib/python/stackpkg/__init__.py"))));
            assertEquals("def double(x):\n    return 2 * x\n",
                    Files.readString(inMount(m, stack.resolve("lib/python/stackpkg/util.py"))));
            long afterSmall = server.stats().objectsServed();
            assertEquals(mounted.objectsServed() + 2, afterSmall);
            assertEquals(mounted.batchRequests() + 1, server.stats().batchRequests());
            assertEquals(mounted.requests() + 1, server.stats().requests(), "one request for both");

            // 8 bytes in the middle of a 300 MB file: one chunk, not the file
            long offset = 123L * Chunking.DEFAULT_CHUNK_SIZE + 4096;
            try (RandomAccessFile f = new RandomAccessFile(inMount(m, stack.resolve("data/big.bin")).toFile(), "r")) {
                f.seek(offset);
                assertEquals(offset, f.readLong(), "each word of big.bin holds its own offset");
            }
            long afterBig = server.stats().objectsServed();
            assertTrue(afterBig - afterSmall >= 1 && afterBig - afterSmall <= 2,
                    "a small read of a big file fetches its chunk (and at most one read-ahead), fetched "
                            + (afterBig - afterSmall));
            assertTrue(server.stats().objectBytesServed() - before.objectBytesServed() < 4L * Chunking.DEFAULT_CHUNK_SIZE);
        }

        // a second mount on the node reads metadata and content from the disk cache
        Api.ServerStats second = server.stats();
        try (MountedSnapshot m = mount(server.firstSnapshot().id(), cache)) {
            assertEquals("VALUE = 'from-the-stack'\n",
                    Files.readString(inMount(m, stack.resolve("lib/python/stackpkg/__init__.py"))));
            assertEquals(second.objectsServed(), server.stats().objectsServed(), "content came from the disk cache");
            assertEquals(second.treesServed(), server.stats().treesServed(), "metadata came from the disk cache");
        }
    }

    @Test
    void aCorruptObjectInTheDiskCacheIsDetectedAndFetchedAgain() throws Exception {
        Path cache = Files.createTempDirectory(base, "cache");
        Path file = stack.resolve("lib/python/stackpkg/util.py");
        byte[] expected = Files.readAllBytes(file);
        try (MountedSnapshot m = mount(server.firstSnapshot().id(), cache)) {
            assertArrayEquals(expected, Files.readAllBytes(inMount(m, file)));
        }
        String hex = dev.stackshare.protocol.Digest.of(expected).hex();
        Path cached = cache.resolve("objects").resolve(hex.substring(0, 2)).resolve(hex);
        assertTrue(Files.exists(cached), "the chunk is in the content-addressed disk cache at " + cached);
        Files.writeString(cached, "def double(x):\n    return 3 * x\n");
        long served = server.stats().objectsServed();
        try (MountedSnapshot m = mount(server.firstSnapshot().id(), cache)) {
            assertArrayEquals(expected, Files.readAllBytes(inMount(m, file)));
        }
        assertEquals(served + 1, server.stats().objectsServed(), "the corrupt copy was dropped and fetched again");
    }

    @Test
    void theMountIsReadOnly() throws Exception {
        Path cache = Files.createTempDirectory(base, "cache");
        try (MountedSnapshot m = mount(server.firstSnapshot().id(), cache)) {
            Path dir = inMount(m, stack);
            String existing = dir.resolve("bin/tool").toString();
            List<List<String>> writes = List.of(
                    List.of("sh", "-c", "echo x >> '" + existing + "'"),
                    List.of("touch", dir.resolve("new-file").toString()),
                    List.of("mkdir", dir.resolve("new-dir").toString()),
                    List.of("mv", existing, dir.resolve("renamed").toString()),
                    List.of("rm", "-f", existing),
                    List.of("rmdir", dir.resolve("empty-dir").toString()),
                    List.of("chmod", "777", existing),
                    List.of("ln", "-s", "x", dir.resolve("new-link").toString()),
                    List.of("truncate", "-s", "0", existing));
            for (List<String> write : writes) {
                Sh.Result r = Sh.run(write);
                assertTrue(r.exit() != 0 && r.err().contains("Read-only file system"),
                        write + " must fail with EROFS: " + r);
            }
            assertEquals("#!/bin/sh\necho tool-ran\n", Files.readString(Path.of(existing)));
        }
    }

    @Test
    void requestsWithoutTheRightTokenGet401AndNoData() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Snapshot first = server.firstSnapshot();
        URI uri = URI.create(server.url() + Api.SNAPSHOTS + "/" + first.id());
        for (String header : new String[] {null, "Bearer wrong", "Bearer " + token + "x", token}) {
            HttpRequest.Builder req = HttpRequest.newBuilder(uri);
            if (header != null) {
                req.header("Authorization", header);
            }
            HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, resp.statusCode(), "header " + header);
            assertFalse(resp.body().contains(first.tree().hex()), "a refused request carries no data");
        }
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains(first.tree().hex()));
    }

    @Test
    void theServerServesNothingOutsideItsRoots() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        byte[] outside = Files.readAllBytes(Path.of("/etc/hostname"));
        String hex = dev.stackshare.protocol.Digest.of(outside).hex();
        for (String path : new String[] {Api.OBJECTS + hex, "/v1/objects/..%2F..%2Fetc%2Fpasswd",
                "/v1/objects/../../etc/passwd", "/etc/passwd", "/v1/snapshots/..%2Fstate%2Ftoken"}) {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(resp.statusCode() == 404 || resp.statusCode() == 400, path + " answered " + resp.statusCode());
            assertFalse(resp.body().contains("root:"), path);
        }
    }

    @Test
    void aPythonJobImportsFromTheStackAndTheUncommittedWorkingTree() throws Exception {
        Path cache = Files.createTempDirectory(base, "cache");
        try (MountedSnapshot m = mount(Api.LATEST, cache)) {
            String pythonPath = inMount(m, stack.resolve("lib/python")) + ":" + inMount(m, worktree);
            Sh.Result r = Sh.run(List.of("python3", "-S", "-c",
                    "import stackpkg, stackpkg.util, mypkg, mypkg._generated as g\n"
                            + "assert stackpkg.__file__.startswith('" + m.mountpoint() + "'), stackpkg.__file__\n"
                            + "assert mypkg.__file__.startswith('" + m.mountpoint() + "'), mypkg.__file__\n"
                            + "print('JOB-OK', stackpkg.VALUE, mypkg.MARKER, stackpkg.util.double(mypkg.answer()), g.BUILD_ID)"),
                    Map.of("PYTHONPATH", pythonPath, "PYTHONDONTWRITEBYTECODE", "1"), 120);
            assertEquals(0, r.exit(), r.toString());
            assertEquals("JOB-OK from-the-stack " + Trees.MARKER + " 84 ignored-build-output\n", r.out());
        }
    }
}
