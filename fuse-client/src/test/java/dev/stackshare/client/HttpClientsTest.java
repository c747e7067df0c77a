package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HttpClientsTest {
    private static long selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().endsWith("SelectorManager")).count();
    }

    @Test
    void stopAllEndsTheSelectorThreadsThatWouldHoldTheExitUp() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes());
            exchange.close();
        });
        server.start();
        try {
            HttpClients.stopAll(); // clients of other tests in this JVM
            long before = selectorThreads();
            HttpClient client = HttpClients.build(HttpClient.newBuilder());
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            assertEquals("ok", client.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(before + 1, selectorThreads(), "the client's selector thread runs");

            assertEquals(1, HttpClients.stopAll(), "the test JVM opens java.net.http as the launcher does");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (selectorThreads() > before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(before, selectorThreads(), "its selector thread has ended");
            assertEquals(0, HttpClients.stopAll(), "each client is stopped once");
        } finally {
            server.stop(0);
        }
    }
}
