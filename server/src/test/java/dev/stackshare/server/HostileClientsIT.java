package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that try to take the server away from everyone, at a real server over loopback with
 * real sockets: strangers sending big bodies to the open login form, nodes that stop reading
 * their answers, and a client that pipelines without end.
 */
class HostileClientsIT {
    private static final int FILES = 32;
    private static final int STALL_SECONDS = 3;
    /** Where the clients that stop reading come from; every 127/8 address is loopback on Linux. */
    private static final String STALLED_CLIENTS = "127.0.0.2";

    @TempDir
    Path tmp;
    StackshareServer server;
    ApiClient client;
    final List<Digest> contents = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        Path root = tmp.resolve("root");
        for (int i = 0; i < FILES; i++) {
            Trees.file(root, "data/f" + i, Trees.randomBytes(512 * 1024, i));
        }
        System.setProperty("stackshare.writeStallSeconds", Integer.toString(STALL_SECONDS));
        try {
            server = StackshareServer.start(new ServerConfig(List.of(root), new InetSocketAddress("127.0.0.1", 0),
                    tmp.resolve("state"), null));
        } finally {
            System.clearProperty("stackshare.writeStallSeconds");
        }
        client = ApiClient.of(server);
        for (int i = 0; i < FILES; i++) {
            Entry.File f = (Entry.File) ApiClientWalk.entry(client, server.firstSnapshot(), root.resolve("data/f" + i));
            contents.add(f.content());
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void strangersSendingBigBodiesToTheLoginFormAreRefusedAtTheHeadAndNothingIsBuffered() throws Exception {
        int attackers = 100;
        long body = 6_400_000;
        String head = "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + body + "\r\n\r\n";
        ByteBufAllocatorMetric netty = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        long before = netty.usedDirectMemory() + netty.usedHeapMemory();
        AtomicLong peak = new AtomicLong(before);
        ExecutorService pool = Executors.newFixedThreadPool(attackers + 1);
        try {
            Future<?> sampler = pool.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(netty.usedDirectMemory() + netty.usedHeapMemory(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < attackers; i++) {
                answers.add(pool.submit(() -> sendBodyAnyway(head, body)));
            }
            int refused = 0;
            for (Future<String> answer : answers) {
                String status = answer.get(60, TimeUnit.SECONDS);
                assertEquals("HTTP/1.1 413 Request Entity Too Large", status);
                refused++;
            }
            sampler.cancel(true);
            long grew = peak.get() - before;
            System.out.printf("login-form flood: %d connections x %d body bytes: %d refused with 413 at the head;"
                    + " Netty's buffers peaked %d KiB above their start%n", attackers, body, refused, grew / 1024);
            assertEquals(attackers, refused);
            assertTrue(grew < 16L << 20, "the server's buffers grew by " + grew + " bytes");
        } finally {
            pool.shutdownNow();
        }
        // The open requests still work within their bound, and nothing else passes there.
        assertTrue(statusOf("POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 70\r\n\r\ntoken="
                + client.token()).startsWith("HTTP/1.1 303"), "a login form fits");
        assertTrue(statusOf("POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ntoken\r\n0\r\n\r\n")
                .startsWith("HTTP/1.1 413"), "no chunked body without the token");
        assertTrue(statusOf("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: " + (AuthHandler.OPEN_BODY_MAX + 1)
                + "\r\n\r\n").startsWith("HTTP/1.1 413"), "the page takes no big body either");
        String expect = statusOf("POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 70\r\nExpect: 100-continue\r\n\r\n");
        assertEquals("HTTP/1.1 417 Expectation Failed", expect, "no 100 Continue for a stranger");
        assertTrue(statusOf("POST /v1/objects:batch HTTP/1.1\r\nHost: x\r\n" + bearer() + "Content-Length: 65\r\n"
                + "Expect: 100-continue\r\n\r\n").startsWith("HTTP/1.1 100 Continue"), "a client with the token may ask");
    }

    /** What the attacker does: the head, then the whole body whatever the server says; returns the status line. */
    private String sendBodyAnyway(String head, long body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String status = statusLine(s.getInputStream());
            byte[] piece = new byte[64 * 1024];
            try {
                for (long sent = 0; sent < body; sent += piece.length) {
                    out.write(piece);
                }
            } catch (IOException closedByTheServer) {
                // the server answered and closed: what is left of the body goes nowhere
            }
            return status;
        }
    }

    @Test
    void nodesThatStopReadingGiveTheirPlacesBackAndCannotTakeThemAll() throws Exception {
        int stalled = InFlightLimit.DEFAULT_MAX;
        StringBuilder batch = new StringBuilder();
        contents.forEach(d -> batch.append(d.hex()).append('\n'));
        byte[] request = ("POST " + Api.BATCH + " HTTP/1.1\r\nHost: x\r\n" + bearer() + "Content-Length: " + batch.length()
                + "\r\n\r\n" + batch).getBytes(StandardCharsets.ISO_8859_1);
        List<Socket> hung = new ArrayList<>();
        try {
            for (int i = 0; i < stalled; i++) {
                // A tiny receive window, and nothing ever read: a job suspended while its answer comes.
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.bind(new InetSocketAddress(STALLED_CLIENTS, 0));
                s.connect(new InetSocketAddress("127.0.0.1", server.port()));
                s.getOutputStream().write(request);
                hung.add(s);
            }
            Thread.sleep(1000); // every batch admitted or refused, and every admitted one stuck
            long started = System.nanoTime();
            for (Digest d : contents) {
                HttpResponse<byte[]> r = client.get(Api.OBJECTS + d.hex());
                assertEquals(200, r.statusCode(), "another client's read while " + stalled + " connections hang: "
                        + new String(r.body(), StandardCharsets.UTF_8));
            }
            double servedSeconds = (System.nanoTime() - started) / 1e9;
            assertTrue(servedSeconds < 5, "served in " + servedSeconds + " s");

            int share = InFlightLimit.fromProperty().perClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STALL_SECONDS + 10);
            long closed = 0;
            while (System.nanoTime() < deadline && (closed = metric("stackshare_stalled_connections_total")) < share) {
                Thread.sleep(100);
            }
            System.out.printf("stalled readers: %d connections from %s asked for %d MiB each and read nothing;"
                    + " another client read %d objects in %.2f s meanwhile; %d stalled connections closed after"
                    + " %d s%n", stalled, STALLED_CLIENTS, FILES / 2, contents.size(), servedSeconds, closed, STALL_SECONDS);
            assertEquals(share, closed, "each connection that held a place, closed after the stall time");
            // With the places back, the same client address is served again at once.
            try (Socket again = new Socket()) {
                again.bind(new InetSocketAddress(STALLED_CLIENTS, 0));
                again.connect(new InetSocketAddress("127.0.0.1", server.port()));
                again.setSoTimeout(10_000);
                again.getOutputStream().write(("GET " + Api.OBJECTS + contents.get(0).hex() + " HTTP/1.1\r\nHost: x\r\n"
                        + bearer() + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                assertEquals("HTTP/1.1 200 OK", statusLine(again.getInputStream()));
            }
            long open = metric("stackshare_open_connections");
            assertTrue(open <= stalled - share + 1, open + " connections still open");
        } finally {
            for (Socket s : hung) {
                s.close();
            }
        }
    }

    @Test
    void aClientPipeliningWithoutEndGetsOne429AfterItsAnswersAndTheConnectionCloses() throws IOException {
        String stats = "GET " + Api.STATS + " HTTP/1.1\r\nHost: x\r\n" + bearer() + "\r\n";
        String within = pipeline(stats.repeat(ApiHandler.MAX_PIPELINED), ApiHandler.MAX_PIPELINED);
        assertEquals(ApiHandler.MAX_PIPELINED, count(within, "HTTP/1.1 200 OK"), "as many as the bound: all answered");

        String past = pipeline(stats.repeat(1000), Integer.MAX_VALUE);
        long ok = count(past, "HTTP/1.1 200 OK");
        System.out.printf("pipelining: 1000 requests in one write: %d answered, then %d x 429 and the end%n", ok,
                count(past, "HTTP/1.1 429"));
        assertTrue(ok > ApiHandler.MAX_PIPELINED && ok < 1000, ok + " answered");
        assertEquals(1, count(past, "HTTP/1.1 429 Too Many Requests"));
        assertTrue(past.lastIndexOf("HTTP/1.1 429") > past.lastIndexOf("HTTP/1.1 200"), "the 429 comes last");
        assertTrue(past.contains("too-many-pipelined"), past.substring(past.lastIndexOf("HTTP/1.1 429")));
    }

    /** Writes all requests at once, then reads until {@code answers} statuses came or the server closed. */
    private String pipeline(String requests, int answers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                got.write(buf, 0, n);
                if (count(got.toString(StandardCharsets.ISO_8859_1), "HTTP/1.1 ") >= answers) {
                    break;
                }
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static long count(String text, String what) {
        return Pattern.compile(Pattern.quote(what)).matcher(text).results().count();
    }

    private String bearer() {
        return "Authorization: Bearer " + client.token() + "\r\n";
    }

    private String statusOf(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return statusLine(s.getInputStream());
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    private long metric(String name) throws IOException {
        String text = new String(client.get("/metrics").body(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), name + " in " + text);
        return (long) Double.parseDouble(m.group(1));
    }
}
