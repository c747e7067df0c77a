package dev.stackshare.server;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A test client for a real server: java.net.http for ordinary requests, a raw socket for odd ones. */
final class ApiClient {
    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    ApiClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    static ApiClient of(StackshareServer server) throws IOException {
        return new ApiClient(server.url(), Files.readString(server.tokenFile()).strip());
    }

    ApiClient withToken(String other) {
        return new ApiClient(base, other);
    }

    HttpResponse<byte[]> get(String path) throws IOException {
        return send(request(path).GET());
    }

    HttpResponse<byte[]> post(String path, String body) throws IOException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The raw bytes of an object, checked against its digest. */
    byte[] object(Digest digest) throws IOException {
        HttpResponse<byte[]> r = get("/v1/objects/" + digest.hex());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + digest.shortHex() + ": " + r.statusCode() + " " + new String(r.body()));
        }
        byte[] raw = Compression.decompress(r.body());
        if (!digest.matches(raw)) {
            throw new IOException("object " + digest.shortHex() + " does not match its digest");
        }
        return raw;
    }

    Snapshot snapshot(String id) throws IOException {
        return Json.read(get("/v1/snapshots/" + id).body(), Snapshot.class);
    }

    static List<BatchStream.Item> items(byte[] body) throws IOException {
        List<BatchStream.Item> items = new ArrayList<>();
        BatchStream.Reader reader = new BatchStream.Reader(new ByteArrayInputStream(body));
        for (BatchStream.Item item = reader.next(); item != null; item = reader.next()) {
            items.add(item);
        }
        return items;
    }

    /** Sends bytes as they are and reads until the server closes or {@code responses} answers arrived. */
    String raw(String requestText, int responses) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(requestText.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                if (countOf(got.toString(), "HTTP/1.1 ") >= responses && completeBodies(got.toString(), responses)) {
                    break;
                }
            }
            return got.toString();
        }
    }

    private static int countOf(String s, String what) {
        int count = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            count++;
        }
        return count;
    }

    /** Good enough for small JSON answers with Content-Length. */
    private static boolean completeBodies(String s, int responses) {
        int at = 0;
        for (int i = 0; i < responses; i++) {
            int head = s.indexOf("\r\n\r\n", at);
            if (head < 0) {
                return false;
            }
            int cl = s.toLowerCase().indexOf("content-length: ", at);
            if (cl < 0 || cl > head) {
                return true;
            }
            int length = Integer.parseInt(s.substring(cl + 16, s.indexOf("\r\n", cl)).trim());
            at = head + 4 + length;
            if (at > s.length()) {
                return false;
            }
        }
        return true;
    }

    String token() {
        return token;
    }

    static Path write(Path p, String content) throws IOException {
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }
}
