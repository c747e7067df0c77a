package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.InetSocketAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

class StackshareServerTest {
    @Test
    void urlUsesTheListenHostAsGiven() {
        assertEquals(URI.create("http://127.0.0.1:7878"), StackshareServer.urlOf(new InetSocketAddress("127.0.0.1", 0), 7878));
        assertEquals(URI.create("http://localhost:7878"), StackshareServer.urlOf(new InetSocketAddress("localhost", 0), 7878));
        assertEquals(URI.create("http://[0:0:0:0:0:0:0:1]:7878"), StackshareServer.urlOf(new InetSocketAddress("::1", 0), 7878));
    }

    @Test
    void wildcardListenAddressBecomesSomethingANodeCanDial() {
        URI url = StackshareServer.urlOf(new InetSocketAddress(0), 7878);
        assertNotNull(url.getHost());
        assertNotEquals("0.0.0.0", url.getHost());
        assertEquals(7878, url.getPort());
    }
}
