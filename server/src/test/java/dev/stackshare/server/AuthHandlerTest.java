package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthHandlerTest {
    private static final String TOKEN = "ab".repeat(32);

    private static HttpRequest request(String authorization, boolean withBody) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/objects:batch");
        if (authorization != null) {
            r.headers().set("Authorization", authorization);
        }
        if (withBody) {
            r.headers().set("Content-Length", 4);
        }
        return r;
    }

    @Test
    void requestWithTheTokenPassesWithItsBody() {
        Counters counters = new Counters();
        EmbeddedChannel ch = new EmbeddedChannel(new AuthHandler(TOKEN, counters));
        HttpRequest r = request("Bearer " + TOKEN, true);
        HttpContent body = new DefaultLastHttpContent(Unpooled.copiedBuffer(new byte[4]));
        ch.writeInbound(r, body);
        assertSame(r, ch.readInbound());
        assertSame(body, ch.readInbound());
        assertEquals(0, counters.unauthorized.sum());
        body.release();
    }

    @Test
    void requestWithoutTheTokenBecomesAMarkerAndItsBodyIsDropped() {
        Counters counters = new Counters();
        EmbeddedChannel ch = new EmbeddedChannel(new AuthHandler(TOKEN, counters));
        HttpContent part = new DefaultHttpContent(Unpooled.copiedBuffer(new byte[2]));
        HttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer(new byte[2]));
        ch.writeInbound(request("Bearer " + "cd".repeat(32), true), part, last);
        AuthHandler.Refused marker = assertInstanceOf(AuthHandler.Refused.class, ch.readInbound());
        assertFalse(marker.keepAlive(), "an unread body makes the connection unusable");
        assertNull(ch.readInbound());
        assertEquals(0, part.refCnt());
        assertEquals(0, last.refCnt());
        assertEquals(1, counters.unauthorized.sum());
    }

    @Test
    void nextRequestAfterARefusedOneIsJudgedOnItsOwn() {
        EmbeddedChannel ch = new EmbeddedChannel(new AuthHandler(TOKEN, new Counters()));
        ch.writeInbound(request(null, false), new DefaultLastHttpContent());
        assertInstanceOf(AuthHandler.Refused.class, ch.readInbound());
        HttpRequest good = request("Bearer " + TOKEN, false);
        ch.writeInbound(good);
        assertSame(good, ch.readInbound());
    }

    @Test
    void nearMissesOfTheTokenAreAllRefused() {
        Counters counters = new Counters();
        EmbeddedChannel ch = new EmbeddedChannel(new AuthHandler(TOKEN, counters));
        String flipped = (TOKEN.charAt(63) == 'a' ? TOKEN.substring(0, 63) + "b" : TOKEN.substring(0, 63) + "a");
        List<String> misses = List.of("Bearer " + flipped, "Bearer " + TOKEN.substring(0, 63), "Bearer " + TOKEN + "0",
                "Bearer " + TOKEN + " ", "bearer " + TOKEN, "Basic " + TOKEN, TOKEN, "Bearer  " + TOKEN,
                "Bearer " + TOKEN.toUpperCase(), "Bearer ", "");
        for (String header : misses) {
            ch.writeInbound(request(header, false), new DefaultLastHttpContent());
            assertInstanceOf(AuthHandler.Refused.class, ch.readInbound(), header);
        }
        assertEquals(misses.size(), counters.unauthorized.sum());
    }
}
