package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated HTTP requests (and, on a TLS port, mutated TLS records) sent as raw bytes to a real
 * server. Whatever arrives, the server answers with a well-formed status that is not 500 (an
 * exception nobody expected), or closes the connection, and it keeps serving. Fixed seeds; the
 * case count and a time budget bound the run; the count is printed.
 */
class RawRequestFuzzIT {
    private static final int CASES = 1500;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final List<String> INSERTS = List.of("\r\n", "\r\n\r\n", ":", " ", "..", "/", "%2f", "%", "\u0000",
            "chunked", "Content-Length: 99999999999\r\n", "Transfer-Encoding: chunked\r\n", "Expect: 100-continue\r\n",
            "ffffffff\r\n", "-1", "HTTP/1.0", "HTTP/2.0", "Connection: keep-alive\r\n", "\u00ff\u00fe", "?have=../");

    @TempDir
    Path tmp;

    private StackshareServer start(TlsConfig tls) throws IOException {
        Path root = tmp.resolve("root");
        Trees.sampleTree(root);
        return StackshareServer.start(new ServerConfig(List.of(root), new InetSocketAddress("127.0.0.1", 0),
                tmp.resolve("state"), null).withTls(tls));
    }

    private static List<byte[]> httpSeeds(StackshareServer server, String token) {
        Snapshot s = server.firstSnapshot();
        String auth = "Authorization: Bearer " + token + "\r\n";
        String head = "Host: 127.0.0.1\r\n" + auth;
        String digests = s.tree().hex() + "\n" + Digest.of(new byte[0]).hex() + "\n";
        String gc = "{\"keep\": 1, \"olderThanSeconds\": 0, \"force\": false, \"dryRun\": true}";
        List<String> seeds = List.of(
                "GET /v1/objects/" + s.tree().hex() + " HTTP/1.1\r\n" + head + "Connection: close\r\n\r\n",
                "POST /v1/objects:batch HTTP/1.1\r\n" + head + "Content-Length: " + digests.length() + "\r\nConnection: close\r\n\r\n"
                        + digests,
                "POST /v1/objects:batch HTTP/1.1\r\n" + head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                        + Integer.toHexString(digests.length()) + "\r\n" + digests + "\r\n0\r\n\r\n",
                "PUT /v1/snapshots/" + s.id() + "/trace HTTP/1.1\r\n" + head + "Content-Length: " + 65
                        + "\r\nConnection: close\r\n\r\n" + s.tree().hex() + "\n",
                "POST /v1/gc HTTP/1.1\r\n" + head + "Content-Length: " + gc.length() + "\r\nConnection: close\r\n\r\n" + gc,
                "GET /v1/views/latest HTTP/1.1\r\n" + head + "If-None-Match: \"x\"\r\n\r\nGET /v1/snapshots/" + s.id()
                        + "/tree HTTP/1.1\r\n" + head + "Connection: close\r\n\r\n",
                "GET /v1/packs/" + s.tree().hex() + " HTTP/1.0\r\n" + auth + "\r\n",
                "GET /v1/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        return seeds.stream().map(t -> t.getBytes(StandardCharsets.ISO_8859_1)).toList();
    }

    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        for (int edits = 1 + r.nextInt(4); edits > 0; edits--) {
            int at = b.length == 0 ? 0 : r.nextInt(b.length);
            switch (r.nextInt(5)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[at] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> b = splice(b, at, at + Math.min(b.length - at, r.nextInt(8)), new byte[0]);
                case 2 -> b = splice(b, at, at, INSERTS.get(r.nextInt(INSERTS.size())).getBytes(StandardCharsets.ISO_8859_1));
                case 3 -> {
                    int end = Math.min(b.length, at + r.nextInt(40));
                    b = splice(b, at, at, java.util.Arrays.copyOfRange(b, at, end)); // a slice again
                }
                default -> b = java.util.Arrays.copyOf(b, at); // cut
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] out = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(b, to, out, from + insert.length, b.length - to);
        return out;
    }

    /** Sends the bytes, reads whatever comes back until the server closes or goes quiet. */
    private static String exchange(int port, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(300);
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
            } catch (IOException closed) {
                // the server may have answered and closed already
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n = in.read(buf); n > 0 && got.size() < (1 << 20); n = in.read(buf)) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException quiet) {
                // waiting for bytes that will not come: allowed
            } catch (IOException reset) {
                // closed on us: allowed
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Runs the cases on a few threads; returns how many ran. Fails on any 500 or malformed status. */
    private static int fuzz(int port, List<byte[]> seeds, long seed, boolean tlsPort) throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        ConcurrentLinkedQueue<String> bad = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + BUDGET_NANOS;
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Random r = new Random(seed + t);
            done.add(pool.submit(() -> {
                while (started.getAndIncrement() < CASES && System.nanoTime() < deadline) {
                    byte[] input = mutate(seeds.get(r.nextInt(seeds.size())), r);
                    String answer = exchange(port, input);
                    ran.incrementAndGet();
                    if (answer.isEmpty() || (tlsPort && !answer.startsWith("HTTP/"))) {
                        continue; // closed, or TLS bytes of an alert
                    }
                    if (!answer.matches("(?s)HTTP/1\\.[01] [1-5]\\d\\d .*") || answer.startsWith("HTTP/1.1 500")
                            || answer.startsWith("HTTP/1.0 500")) {
                        bad.add(new String(input, StandardCharsets.ISO_8859_1) + "\n=> " + answer.lines().findFirst().orElse(""));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertTrue(bad.isEmpty(), bad.size() + " bad answers, first:\n" + bad.peek());
        return ran.get();
    }

    @Test
    void mutatedHttpRequestsGetAStatusOrACloseAndTheServerKeepsServing() throws Exception {
        try (StackshareServer server = start(null)) {
            ApiClient client = ApiClient.of(server);
            int ran = fuzz(server.port(), httpSeeds(server, client.token()), 21, false);
            System.out.println("fuzz raw HTTP requests: " + ran + " cases");
            assertTrue(ran >= 300, "ran " + ran);
            assertEquals(200, client.get("/v1/views/latest").statusCode(), "still serving");
            assertEquals(200, client.get("/v1/stats").statusCode());
        }
    }

    @Test
    void mutatedTlsRecordsAndPlainRequestsOnATlsPortAreRefusedAndTheServerKeepsServing() throws Exception {
        try (StackshareServer server = start(new TlsConfig.SelfSigned())) {
            String token = java.nio.file.Files.readString(server.tokenFile()).strip();
            List<byte[]> seeds = new ArrayList<>(httpSeeds(server, token));
            for (int i = 0; i < 3; i++) {
                seeds.add(clientHello());
            }
            int ran = fuzz(server.port(), seeds, 31, true);
            System.out.println("fuzz raw TLS records and plain requests on a TLS port: " + ran + " cases");
            assertTrue(ran >= 300, "ran " + ran);
            HttpClient https = HttpClient.newBuilder().sslContext(trustAll()).build();
            URI url = URI.create(server.url().toString().replaceAll("#.*", "")).resolve("/v1/views/latest");
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(url).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "still serving over TLS");
        }
    }

    /** The first flight of a real TLS client. */
    private static byte[] clientHello() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("127.0.0.1", 1);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    private static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return context;
    }
}
