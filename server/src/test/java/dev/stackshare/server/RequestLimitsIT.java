package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every request limit of docs/security.md, at a real server: the request line and URI, the
 * headers, the body, and the digests in one batch; each is answered with its status, at the
 * limit's edge, without the server reading what lies beyond it.
 */
class RequestLimitsIT {
    @TempDir
    Path tmp;
    StackshareServer server;
    ApiClient client;

    @BeforeEach
    void start() throws IOException {
        Path root = tmp.resolve("root");
        Trees.sampleTree(root);
        server = StackshareServer.start(new ServerConfig(List.of(root), new InetSocketAddress("127.0.0.1", 0),
                tmp.resolve("state"), null));
        client = ApiClient.of(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String auth() {
        return "Authorization: Bearer " + client.token() + "\r\n";
    }

    /** Sends the head (and what follows), then reads the status line of the answer. */
    private String statusOf(String head, byte[] after) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(after);
                out.flush();
            } catch (IOException closedEarly) {
                // the server may answer and close before reading a body it refuses
            }
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        }
    }

    @Test
    void requestLineAndUriLimits() throws IOException {
        String ok = "/v1/views/" + "a".repeat(60);
        assertTrue(statusOf("GET " + ok + " HTTP/1.1\r\nHost: x\r\n" + auth() + "Connection: close\r\n\r\n", new byte[0])
                .startsWith("HTTP/1.1 404"), "a long but legal view name is looked up");
        String uri2049 = "/v1/views/" + "a".repeat(2049 - 10);
        assertEquals("HTTP/1.1 414 Request-URI Too Long", statusOf("GET " + uri2049 + " HTTP/1.1\r\nHost: x\r\n" + auth()
                + "Connection: close\r\n\r\n", new byte[0]), "URI past 2048 characters");
        assertEquals("HTTP/1.1 414 Request-URI Too Long", statusOf("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n"
                + auth() + "\r\n", new byte[0]), "request line past 4096 bytes");
    }

    @Test
    void headerLimit() throws IOException {
        String many = "X-A: " + "b".repeat(100) + "\r\n";
        assertTrue(statusOf("GET /v1/stats HTTP/1.1\r\nHost: x\r\n" + auth() + many.repeat(70) + "Connection: close\r\n\r\n",
                new byte[0]).startsWith("HTTP/1.1 200"), "about 7.5 KB of headers pass");
        assertTrue(statusOf("GET /v1/stats HTTP/1.1\r\nHost: x\r\n" + auth() + many.repeat(90) + "\r\n", new byte[0])
                .startsWith("HTTP/1.1 431"), "more than 8 KB of headers in all");
        assertTrue(statusOf("GET /v1/stats HTTP/1.1\r\nHost: x\r\n" + auth() + "X-B: " + "c".repeat(9000) + "\r\n\r\n",
                new byte[0]).startsWith("HTTP/1.1 431"), "one header line of 9 KB");
    }

    @Test
    void bodyLimitIsCheckedAtTheHeadAndNothingIsBufferedWithoutTheToken() throws IOException {
        String big = "POST /v1/objects:batch HTTP/1.1\r\nHost: x\r\nContent-Length: " + (Api.MAX_REQUEST_BODY + 1) + "\r\n";
        assertTrue(statusOf(big + auth() + "\r\n", new byte[0]).startsWith("HTTP/1.1 413"),
                "a declared length past the limit is refused before any body byte arrives");
        assertTrue(statusOf(big + "\r\n", new byte[0]).startsWith("HTTP/1.1 401"), "without the token: 401, not even 413");
        assertTrue(statusOf("POST /v1/objects:batch HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n",
                new byte[0]).startsWith("HTTP/1.1 401"));
        // Chunked, no length declared: refused once the chunks pass the limit.
        byte[] chunk = ("100000\r\n" + "0".repeat(0x100000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] chunks = new byte[chunk.length * 8];
        for (int i = 0; i < 8; i++) {
            System.arraycopy(chunk, 0, chunks, i * chunk.length, chunk.length);
        }
        assertTrue(statusOf("POST /v1/objects:batch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" + auth() + "\r\n",
                chunks).startsWith("HTTP/1.1 413"), "8 MiB of chunks");
    }

    @Test
    void aBatchNamesAtMost100000Digests() throws IOException {
        StringBuilder body = new StringBuilder(Api.MAX_REQUEST_BODY);
        for (int i = 0; i < BatchStream.MAX_BATCH_DIGESTS; i++) {
            body.append(Digest.of(new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16)}).hex()).append('\n');
        }
        assertEquals(Api.MAX_REQUEST_BODY, body.length(), "the body limit is exactly a full batch");
        HttpResponse<byte[]> full = client.post(Api.BATCH, body.toString());
        assertEquals(200, full.statusCode());
        assertEquals(BatchStream.MAX_BATCH_DIGESTS, ApiClient.items(full.body()).size());
        body.append(Digest.of(new byte[0]).hex()).append('\n');
        HttpResponse<byte[]> over = client.post(Api.BATCH, body.toString());
        assertEquals(413, over.statusCode(), "one digest more");
    }
}
