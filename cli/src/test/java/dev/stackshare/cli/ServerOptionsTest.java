package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerOptionsTest {
    private static ServerOptions with(String server) {
        ServerOptions o = new ServerOptions();
        o.server = server;
        return o;
    }

    @Test
    void oneUrlIsTheOrigin() {
        assertEquals(List.of(URI.create("http://host:7878")), with("http://host:7878/").urls());
    }

    @Test
    void severalUrlsKeepTheirOrderCachesFirst() {
        assertEquals(List.of(URI.create("http://cache:8080"), URI.create("http://cache2:8080"), URI.create("http://host:7878")),
                with("http://cache:8080, http://cache2:8080/,http://host:7878").urls());
    }

    @Test
    void anEmptyOrRepeatedUrlIsOneClearError() {
        assertEquals("--server 'http://a:1,,http://b:2' has an empty URL; give URLs separated by single commas, "
                + "HTTP caches first and the origin last", assertThrows(UserError.class, () -> with("http://a:1,,http://b:2").urls())
                .getMessage());
        assertEquals("--server names http://a:1 twice", assertThrows(UserError.class, () -> with("http://a:1,http://a:1/").urls())
                .getMessage());
        assertEquals("--server 'ftp://b' is not an http://host:port or https://host:port URL",
                assertThrows(UserError.class, () -> with("http://a:1,ftp://b").urls()).getMessage());
        assertThrows(UserError.class, () -> with(" ").urls());
    }
}
