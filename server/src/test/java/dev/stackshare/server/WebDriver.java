package dev.stackshare.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Just enough of the W3C WebDriver protocol to drive Debian's headless Chromium through its
 * chromedriver: open a page, type, click, read text, take a screenshot.
 */
final class WebDriver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final URI base;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String session;

    private WebDriver(Process driver, URI base, String session) {
        this.driver = driver;
        this.base = base;
        this.session = session;
    }

    static WebDriver start(Path chromedriver, Path chromium, Path log) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        Map<String, Object> capabilities = Map.of("capabilities", Map.of("alwaysMatch", Map.of(
                "browserName", "chrome",
                "goog:chromeOptions", Map.of("binary", chromium.toString(), "args",
                        List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900")))));
        JsonNode answer = call(http, base, "POST", "/session", capabilities);
        return new WebDriver(driver, base, answer.get("value").get("sessionId").asText());
    }

    void open(URI url) throws IOException, InterruptedException {
        command("POST", "/url", Map.of("url", url.toString()));
    }

    String find(String css) throws IOException, InterruptedException {
        // The element reference is the one field of the answer (named by a fixed W3C key).
        JsonNode reference = command("POST", "/element", Map.of("using", "css selector", "value", css)).get("value");
        return reference.elements().next().asText();
    }

    void type(String element, String text) throws IOException, InterruptedException {
        command("POST", "/element/" + element + "/value", Map.of("text", text));
    }

    void click(String element) throws IOException, InterruptedException {
        command("POST", "/element/" + element + "/click", Map.of());
    }

    String text(String element) throws IOException, InterruptedException {
        return command("GET", "/element/" + element + "/text", null).get("value").asText();
    }

    /** Runs a script in the page and returns its value. */
    JsonNode script(String js) throws IOException, InterruptedException {
        return command("POST", "/execute/sync", Map.of("script", js, "args", List.of())).get("value");
    }

    byte[] screenshot() throws IOException, InterruptedException {
        return Base64.getDecoder().decode(command("GET", "/screenshot", null).get("value").asText());
    }

    private JsonNode command(String method, String path, Object body) throws IOException, InterruptedException {
        return call(http, base, method, "/session/" + session + path, body);
    }

    private static JsonNode call(HttpClient http, URI base, String method, String path, Object body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IOException("webdriver " + method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return answer;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            call(http, base, "DELETE", "/session/" + session, null);
        } catch (IOException e) {
            // the browser is gone already
        }
        driver.destroy();
        driver.waitFor();
    }
}
