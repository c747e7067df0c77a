package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Snapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fan-out through a standard HTTP cache: Debian's nginx, run by the test in the foreground with
 * the configuration docs/operations.md quotes ({@code docs/nginx-stackshare.conf}), sits with
 * {@code proxy_cache} between real mounts (through the launcher, each with its own empty cache
 * dir) and a real {@code stackshare serve}. The server's own counters show that it served each
 * object once however many clients read it, and nginx refuses a request without the token
 * itself. The tests build on each other: they run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FanOutIT {
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final Path TEMPLATE = REPO.resolve("docs/nginx-stackshare.conf");
    static final Path OPERATIONS = REPO.resolve("docs/operations.md");
    static final int CLIENTS = 4;
    static final int CHUNK = 512 * 1024;

    @TempDir
    static Path base;
    Path stack;
    Path state;
    Process serve;
    Process nginx;
    String origin;
    String cache;
    String token;
    /** Every regular file of the stack by its path, as the developer's disk has it. */
    final Map<Path, byte[]> files = new LinkedHashMap<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void startServeAndNginx() throws Exception {
        stack = base.resolve("stack").toAbsolutePath();
        makeStack();
        state = base.resolve("state");
        startServe();
        token = Files.readString(state.resolve("token")).strip();
        startNginx();
    }

    /**
     * Three packages of small modules (one with a duplicate inside it, which its directory's
     * batch names once), a module alone in its directory, an empty file, and a 3-chunk file.
     * No content repeats across directories, so every object belongs to exactly one cacheable
     * answer and "served once" is exact.
     */
    private void makeStack() throws IOException {
        Random random = new Random(5);
        for (String pkg : List.of("pkg_a", "pkg_b", "pkg_c")) {
            for (int i = 0; i < 6; i++) {
                put("lib/" + pkg + "/m" + i + ".py", ("# " + pkg + " module " + i + "\nVALUE = " + random.nextLong() + "\n"
                        + "x".repeat(random.nextInt(5000))).getBytes(StandardCharsets.UTF_8));
            }
        }
        put("lib/pkg_a/copy_of_m0.py", files.get(stack.resolve("lib/pkg_a/m0.py")));
        put("lib/pkg_b/empty.py", new byte[0]);
        put("etc/alone.cfg", "alone=yes\n".getBytes(StandardCharsets.UTF_8));
        byte[] big = new byte[2 * CHUNK + 1234];
        random.nextBytes(big);
        put("data/big.bin", big);
    }

    private void put(String relative, byte[] bytes) throws IOException {
        Path p = stack.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        files.put(p, bytes);
    }

    /** The objects a job reading every file needs: each small file's bytes, each chunk of a big one. */
    private Set<Digest> contentObjects() {
        Set<Digest> objects = new HashSet<>();
        for (byte[] bytes : files.values()) {
            for (int at = 0; at < bytes.length; at += CHUNK) {
                objects.add(Digest.of(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + CHUNK))));
            }
        }
        return objects;
    }

    private void startServe() throws IOException {
        serve = new ProcessBuilder(CliIT.LAUNCHER.toString(), "serve", "--root", stack.toString(),
                "--listen", "127.0.0.1:0", "--state-dir", state.toString())
                .redirectError(base.resolve("serve.log").toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> printed = new HashMap<>();
        for (String line; (line = out.readLine()) != null && !printed.containsKey("snapshot"); ) {
            String[] parts = line.split("\\s+", 2);
            printed.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        assertTrue(printed.containsKey("snapshot"), "serve printed " + printed + "; log: "
                + Files.readString(base.resolve("serve.log")));
        origin = printed.get("serving");
        assertTrue(Snapshot.isId(printed.get("snapshot")));
    }

    /** nginx with the documented configuration, its pid, temp, cache and log paths in the test's own dir. */
    private void startNginx() throws Exception {
        Path dir = Files.createDirectories(base.resolve("nginx"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        cache = "http://127.0.0.1:" + port;
        String conf = Files.readString(TEMPLATE)
                .replace("@LISTEN@", "127.0.0.1:" + port)
                .replace("@ORIGIN@", URI.create(origin).getAuthority())
                .replace("@TOKEN@", token)
                .replace("@DIR@", dir.toString());
        assertFalse(conf.contains("@"), "every placeholder is filled");
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        String binary = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
        // As root, nginx's workers would run as nobody, who cannot enter the test's private temp dir.
        String global = "daemon off;" + ("root".equals(System.getProperty("user.name")) ? " user root;" : "");
        try {
            nginx = new ProcessBuilder(binary, "-p", dir.toString(), "-c", file.toString(), "-e", dir.resolve("error.log").toString(),
                    "-g", global).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new IOException("cannot run nginx (" + e.getMessage() + "); install it: apt-get install nginx-light "
                    + "(scripts/setup.sh does)", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException notYet) {
                assertTrue(nginx.isAlive(), "nginx exited: " + Files.readString(dir.resolve("stdout.log"))
                        + (Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : ""));
                assertTrue(System.nanoTime() < deadline, "nginx did not listen on " + cache + " within 20 s");
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (nginx != null && nginx.isAlive()) {
            nginx.destroy();
            nginx.waitFor(20, TimeUnit.SECONDS);
        }
        if (serve != null) {
            serve.destroy();
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve stops on SIGTERM");
        }
    }

    private Api.ServerStats originStats() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = get(origin + Api.STATS, "Bearer " + token);
        assertEquals(200, r.statusCode());
        return Json.read(r.body(), Api.ServerStats.class);
    }

    private HttpResponse<byte[]> get(String url, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static long kind(Api.ServerStats stats, String kind) {
        return stats.requestsByKind().getOrDefault(kind, 0L);
    }

    /** Mounts through the launcher, as a batch job's prologue would, with a cache dir of its own. */
    private Path mount(String servers, String name) throws Exception {
        Path mnt = Files.createDirectories(base.resolve("mnt-" + name));
        Path cacheDir = Files.createTempDirectory(base, "cache-" + name);
        Sh.Result r = CliIT.ss("mount", "--server", servers, "--token-file", state.resolve("token").toString(),
                "--snapshot", "latest", "--cache-dir", cacheDir.toString(), mnt.toString());
        assertEquals(0, r.exit(), r.toString());
        return mnt;
    }

    private void unmount(Path mnt) throws Exception {
        Sh.Result r = CliIT.ss("unmount", mnt.toString());
        assertEquals(0, r.exit(), r.toString());
    }

    /** Reads every file of the stack through a mount, in the order a job would, and checks each byte. */
    private int readAll(Path mnt) throws IOException {
        int read = 0;
        for (Map.Entry<Path, byte[]> f : files.entrySet()) {
            Path inMount = Path.of(mnt + f.getKey().toString());
            assertArrayEquals(f.getValue(), Files.readAllBytes(inMount), "bytes of " + inMount);
            read++;
        }
        return read;
    }

    @Test
    @Order(1)
    void theDocumentQuotesTheConfigurationThisTestRuns() throws IOException {
        assertTrue(Files.readString(OPERATIONS).contains(Files.readString(TEMPLATE)),
                "docs/operations.md quotes docs/nginx-stackshare.conf verbatim; update one with the other");
    }

    @Test
    @Order(1)
    void mountHelpExplainsSeveralServerUrls() throws Exception {
        Sh.Result help = CliIT.ss("mount", "--help");
        assertEquals(0, help.exit(), help.toString());
        for (String words : List.of("--server=URL[,URL...]", "HTTP caches first", "origin", "Fan-out through an HTTP cache")) {
            assertTrue(help.out().replaceAll("\\s+", " ").contains(words), words + " in:\n" + help.out());
        }
    }

    @Test
    @Order(2)
    void clientsReadingTheSameFilesThroughTheCacheCostTheOriginEachObjectOnce() throws Exception {
        Api.ServerStats before = originStats();
        String servers = cache + "," + origin;
        List<Path> mounts = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            mounts.add(mount(servers, "client" + i));
        }
        ExecutorService jobs = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> reads = new ArrayList<>();
            for (Path mnt : mounts) {
                reads.add(jobs.submit(() -> readAll(mnt)));
            }
            for (Future<Integer> r : reads) {
                assertEquals(files.size(), r.get(5, TimeUnit.MINUTES));
            }
        } finally {
            jobs.shutdownNow();
            for (Path mnt : mounts) {
                unmount(mnt);
            }
        }
        Api.ServerStats after = originStats();

        Set<Digest> objects = contentObjects();
        System.out.printf("fan-out: %d clients read %d files (%d objects); origin served %d objects, %d again, "
                        + "%d tree, %d directory GETs, %d object GETs%n", CLIENTS, files.size(), objects.size(),
                after.objectsServed() - before.objectsServed(), after.objectsServedAgain() - before.objectsServedAgain(),
                after.treesServed() - before.treesServed(), kind(after, "GetDirFiles") - kind(before, "GetDirFiles"),
                kind(after, "GetObject") - kind(before, "GetObject"));
        assertEquals(objects.size(), after.objectsServed() - before.objectsServed(),
                CLIENTS + " clients read " + objects.size() + " objects; the origin served each once: " + after);
        assertEquals(objects.size(), after.distinctObjectsServed() - before.distinctObjectsServed());
        assertEquals(before.objectsServedAgain(), after.objectsServedAgain(), "no object served twice");
        assertTrue(after.perObjectCountsComplete());
        assertEquals(1, after.treesServed() - before.treesServed(), "one tree answer for every mount");
        assertEquals(1, kind(after, "GetSnapshot") - kind(before, "GetSnapshot"));
        assertEquals(3, kind(after, "GetDirFiles") - kind(before, "GetDirFiles"), "one GET per package directory");
        assertEquals(0, kind(after, "Batch") - kind(before, "Batch"), "no uncacheable POST batch");
        assertEquals(CLIENTS, kind(after, "GetView") - kind(before, "GetView"), "view look-ups always reach the origin");
        assertEquals(0, after.unauthorized() - before.unauthorized());
    }

    @Test
    @Order(3)
    void withoutTheRightTokenNginxAnswers401AndNeverACachedObject() throws Exception {
        byte[] big = files.get(stack.resolve("data/big.bin"));
        Digest chunk = Digest.of(Arrays.copyOfRange(big, 0, CHUNK));
        String url = cache + Api.OBJECTS + chunk.hex();
        Api.ServerStats before = originStats();

        HttpResponse<byte[]> right = get(url, "Bearer " + token);
        assertEquals(200, right.statusCode());
        assertEquals("HIT", right.headers().firstValue("X-Cache-Status").orElse(null), "the chunk is in the cache");
        assertArrayEquals(Arrays.copyOfRange(big, 0, CHUNK), Compression.decompress(right.body()));

        List<String> wrong = new ArrayList<>(Arrays.asList(null, "Bearer ", "Bearer " + token.toUpperCase(),
                "Bearer " + token + "0", "Bearer x" + token, "Basic " + token, "Bearer " + "0".repeat(token.length())));
        for (String authorization : wrong) {
            HttpResponse<byte[]> r = get(url, authorization);
            assertEquals(401, r.statusCode(), "Authorization: " + authorization);
            assertTrue(r.body().length < 200 && new String(r.body(), StandardCharsets.UTF_8).contains("unauthorized"),
                    "an error, not the object: " + r.body().length + " bytes");
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
        }
        for (String path : List.of(Api.VIEWS + "latest", Api.STATS, "/v1/snapshots")) {
            assertEquals(401, get(cache + path, null).statusCode(), path);
        }
        Api.ServerStats after = originStats();
        assertEquals(before.unauthorized(), after.unauthorized(), "nginx refused them itself");
        assertEquals(before.objectsServed(), after.objectsServed(), "the right token's request was a cache hit");
    }

    @Test
    @Order(4)
    void whenTheCacheIsDownAMountFailsOverToTheOrigin() throws Exception {
        nginx.destroy();
        assertTrue(nginx.waitFor(20, TimeUnit.SECONDS), "nginx stops on SIGTERM");
        Api.ServerStats before = originStats();

        Path mnt = mount(cache + "," + origin, "failover");
        try {
            assertEquals(files.size(), readAll(mnt));
        } finally {
            unmount(mnt);
        }
        Api.ServerStats after = originStats();
        assertEquals(1, after.treesServed() - before.treesServed(), "the tree came from the origin");
        assertEquals(contentObjects().size(), after.objectsServed() - before.objectsServed());
        Path log = Files.list(base).filter(p -> p.getFileName().toString().startsWith("cache-failover"))
                .map(p -> p.resolve("logs")).findFirst().orElseThrow();
        try (Stream<Path> logs = Files.list(log)) {
            String text = logs.map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).reduce("", String::concat);
            assertTrue(text.contains("server " + cache + " failed"), "the mount's log says why: " + text);
        }
    }
}
