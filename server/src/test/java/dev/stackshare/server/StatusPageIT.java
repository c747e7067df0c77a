package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics and the status page's login, over real HTTP against a real server. */
class StatusPageIT {
    @TempDir
    Path tmp;
    StackshareServer server;
    ApiClient withToken;
    ApiClient anonymous;
    String token;

    @BeforeEach
    void setUp() throws IOException {
        Path root = tmp.resolve("stack");
        Trees.sampleTree(root);
        server = StackshareServer.start(new ServerConfig(List.of(root), new InetSocketAddress("127.0.0.1", 0),
                tmp.resolve("state"), null));
        withToken = ApiClient.of(server);
        token = Files.readString(server.tokenFile()).strip();
        anonymous = withToken.withToken(null);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void metricsInPrometheusTextBehindTheToken() throws IOException {
        withToken.get("/v1/snapshots");
        withToken.post("/v1/snapshots", "");
        assertEquals(401, anonymous.get("/metrics").statusCode());
        HttpResponse<byte[]> r = withToken.get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals(PrometheusText.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
        String text = new String(r.body(), StandardCharsets.UTF_8);
        for (String name : List.of("stackshare_requests_total", "stackshare_request_seconds_bucket{le=\"+Inf\"}",
                "stackshare_publish_seconds_count", "stackshare_frozen_store_bytes", "stackshare_heap_used_bytes",
                "stackshare_requests_by_kind_total{kind=\"ListSnapshots\"} 1", "stackshare_unauthorized_total 1",
                "stackshare_snapshots 2", "stackshare_server_errors_total 0")) {
            assertTrue(text.contains(name), name + " missing from:\n" + text);
        }
        // The first publish (at start) and the one above.
        assertEquals(2, value(text, "stackshare_publish_seconds_count"));
        assertTrue(value(text, "stackshare_frozen_store_bytes") > 0, text);
        assertTrue(value(text, "stackshare_open_connections") >= 1, "this request's own connection at least");
    }

    @Test
    void theStatusPageAsksForTheTokenOnceAndThenReadsWithACookieThatNeverWrites() throws IOException {
        HttpResponse<byte[]> form = anonymous.get("/");
        assertEquals(200, form.statusCode());
        String login = new String(form.body(), StandardCharsets.UTF_8);
        assertTrue(login.contains("<form method=\"post\" action=\"/login\">"), login);
        assertFalse(login.contains("Snapshots"), "no data before the login");

        assertEquals(401, postForm("token=wrong" + token.substring(5)).statusCode());
        assertEquals(401, postForm("").statusCode());
        HttpResponse<byte[]> in = postForm("token=" + token);
        assertEquals(303, in.statusCode());
        assertEquals("/", in.headers().firstValue("Location").orElseThrow());
        String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertFalse(cookie.contains(token), "the cookie is not the token");

        String page = new String(anonymous.send(withCookie(cookie, "/").GET()).body(), StandardCharsets.UTF_8);
        assertTrue(page.contains("<h2>Snapshots</h2>"), page);
        assertEquals(200, anonymous.send(withCookie(cookie, "/v1/stats").GET()).statusCode());
        assertEquals(200, anonymous.send(withCookie(cookie, "/metrics").GET()).statusCode());
        assertEquals(401, anonymous.send(withCookie(cookie, "/v1/snapshots")
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode(), "a cookie never publishes");
        assertEquals(401, anonymous.send(withCookie(cookie + "0", "/v1/stats").GET()).statusCode());
        assertEquals(401, anonymous.send(HttpRequest.newBuilder(server.url().resolve("/v1/stats"))
                .header(StatusPageSession.AUTHENTICATED_HEADER, "true").GET()).statusCode(), "the marker cannot be sent in");
    }

    @Test
    void theCookieOfOneServerRunIsRefusedAfterARestartAndItsTokenRotated() throws IOException {
        String setCookie = postForm("token=" + token).headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("; Max-Age=" + StatusPageSession.LIFETIME.toSeconds() + ";"), "it expires: " + setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertEquals(200, anonymous.send(withCookie(cookie, "/v1/stats").GET()).statusCode());

        restart();
        assertEquals(token, Files.readString(server.tokenFile()).strip(), "the same token after a plain restart");
        assertEquals(401, anonymous.send(withCookie(cookie, "/v1/stats").GET()).statusCode(), "a restart logs out");
        String again = postForm("token=" + token).headers().firstValue("Set-Cookie").orElseThrow();
        String second = again.substring(0, again.indexOf(';'));
        assertEquals(200, anonymous.send(withCookie(second, "/v1/stats").GET()).statusCode());

        // Rotation as docs/operations.md says: stop, delete the token, start.
        server.close();
        Files.delete(server.tokenFile());
        restart();
        assertFalse(token.equals(Files.readString(server.tokenFile()).strip()), "a new token");
        assertEquals(401, anonymous.send(withCookie(second, "/v1/stats").GET()).statusCode(), "rotation logs out");
    }

    private void restart() throws IOException {
        server.close();
        server = StackshareServer.start(new ServerConfig(List.of(tmp.resolve("stack")), new InetSocketAddress("127.0.0.1", 0),
                tmp.resolve("state"), null));
        anonymous = ApiClient.of(server).withToken(null);
    }

    private HttpResponse<byte[]> postForm(String body) throws IOException {
        return anonymous.send(HttpRequest.newBuilder(server.url().resolve("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpRequest.Builder withCookie(String cookie, String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).header("Cookie", cookie);
    }

    private static double value(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), name + " in " + text);
        return Double.parseDouble(m.group(1));
    }
}
