package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.client.HttpTransport.Answer;
import dev.stackshare.client.HttpTransport.Call;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transport against a scripted HTTP/1.1 server on loopback: pooling, bodies, statuses, stalls. */
class HttpTransportTest {
    /** What the scripted server does with each request it reads. */
    private enum Script { ANSWER, NEVER_ANSWER, STALL_MID_BODY }

    private ServerSocket listener;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        if (listener != null) {
            listener.close();
        }
    }

    /** Starts a server that answers every request by {@code script}; returns its base URL. */
    private String serve(Script script, int status, String body) throws IOException {
        listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> answer(s, script, status, body));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        accept.setDaemon(true);
        accept.start();
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void answer(Socket s, Script script, int status, String body) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
             OutputStream out = s.getOutputStream()) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                StringBuilder head = new StringBuilder(line).append('\n');
                int length = 0;
                for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                    head.append(h).append('\n');
                    if (h.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).strip());
                    }
                }
                char[] sent = new char[length];
                for (int n = 0; n < length; ) {
                    n += in.read(sent, n, length - n);
                }
                requests.add(head + new String(sent));
                if (script == Script.NEVER_ANSWER) {
                    Thread.sleep(10_000);
                    return;
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                int promised = script == Script.STALL_MID_BODY ? bytes.length + 100 : bytes.length;
                out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: " + promised + "\r\nRetry-After: 7\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                if (script == Script.STALL_MID_BODY) {
                    Thread.sleep(10_000);
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    private static HttpTransport transport(Duration timeout) {
        return new HttpTransport("Bearer sesame", timeout, null);
    }

    private static Answer postBatch(String base, String body) throws IOException {
        return transport(Duration.ofSeconds(5)).send(base, Call.post("/v1/batch", "text/plain",
                body.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void requestsInTurnShareOneKeptAliveConnection() throws Exception {
        String base = serve(Script.ANSWER, 200, "hello");
        HttpTransport http = transport(Duration.ofSeconds(5));
        for (int i = 0; i < 3; i++) {
            Answer answer = http.send(base, Call.get("/v1/objects/" + i));
            assertEquals(200, answer.status());
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), answer.readAll());
            assertEquals(base, answer.server());
        }
        assertEquals(1, connections.get(), "each answer read to its end returns its connection to the pool");
        assertEquals(3, requests.size());
        assertTrue(requests.get(2).startsWith("GET /v1/objects/2 HTTP/1.1\n"), requests.get(2));
        assertTrue(requests.get(2).contains("Authorization: Bearer sesame\n"), requests.get(2));
    }

    @Test
    void aPostCarriesItsBodyAndTypeAndAnErrorAnswerItsBodyAndHeaders() throws Exception {
        String base = serve(Script.ANSWER, 503, "{\"code\":\"overloaded\"}");
        Answer answer = postBatch(base, "abc\ndef\n");
        assertEquals(503, answer.status());
        assertEquals("7", answer.header("Retry-After").orElseThrow());
        assertEquals("{\"code\":\"overloaded\"}", new String(answer.readAll(), StandardCharsets.UTF_8));
        String request = requests.get(0);
        assertTrue(request.startsWith("POST /v1/batch HTTP/1.1\n"), request);
        assertTrue(request.contains("Content-Type: text/plain\n") && request.contains("Content-Length: 8\n"), request);
        assertTrue(request.endsWith("\nabc\ndef\n"), request);
    }

    @Test
    void aRefusedTokenOnAPostIsA401NotALostConnection() throws Exception {
        // HttpURLConnection cannot resend a streamed body after a 401; the status must still come through.
        String base = serve(Script.ANSWER, 401, "{\"code\":\"unauthorized\",\"message\":\"bad token\"}");
        Answer answer = postBatch(base, "abc\n");
        assertEquals(401, answer.status());
        answer.close();
        ServerClient client = new ServerClient(URI.create(base), "sesame", Duration.ofSeconds(5));
        ClientException e = assertThrows(ClientException.class, () -> client.publish(null));
        assertEquals(ClientException.UNAUTHORIZED, e.code(), e.getMessage());
    }

    @Test
    void aServerThatNeverAnswersIsATimeoutNamingTheServer() throws Exception {
        String base = serve(Script.NEVER_ANSWER, 200, "");
        ServerClient client = new ServerClient(URI.create(base), "sesame", Duration.ofMillis(300));
        long start = System.nanoTime();
        ClientException e = assertThrows(ClientException.class, client::stats);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ClientException.TIMEOUT, e.code(), e.getMessage());
        assertEquals("server " + base + " did not answer within 300 ms; is it overloaded, or is the network slow?",
                e.getMessage());
        assertTrue(millis < 5_000, "gave up after " + millis + " ms");
    }

    @Test
    void anAnswerThatStallsMidBodyFailsInsteadOfWaitingForever() throws Exception {
        String base = serve(Script.STALL_MID_BODY, 200, "partial");
        Answer answer = transport(Duration.ofMillis(300)).send(base, Call.get("/v1/objects/x"));
        assertEquals(200, answer.status());
        assertThrows(SocketTimeoutException.class, answer::readAll);
    }

    @Test
    void aClosedPortIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ServerClient client = new ServerClient(URI.create("http://127.0.0.1:" + port), "sesame", Duration.ofSeconds(2));
        ClientException e = assertThrows(ClientException.class, client::stats);
        assertEquals(ClientException.UNREACHABLE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("is `stackshare serve` running there"), e.getMessage());
    }
}
