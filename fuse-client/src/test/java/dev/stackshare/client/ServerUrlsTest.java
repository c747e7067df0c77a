package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ServerUrlsTest {
    private static final String CACHE = "http://cache:8080";
    private static final String CACHE2 = "http://cache2:8080";
    private static final String ORIGIN = "http://origin:7878";
    private final AtomicLong now = new AtomicLong();

    private ServerUrls urls() {
        return new ServerUrls(List.of(URI.create(CACHE + "/"), URI.create(CACHE2), URI.create(ORIGIN)), now::get);
    }

    @Test
    void theOriginIsTheLastUrlAndContentGoesInTheGivenOrder() {
        ServerUrls urls = urls();
        assertEquals(ORIGIN, urls.origin());
        assertEquals(List.of(CACHE, CACHE2, ORIGIN), urls.forContent(), "trailing slash dropped");
    }

    @Test
    void aFailedServerIsPassedOverUntilItsBackOffEndsAndTheBackOffDoublesUpToItsBound() {
        ServerUrls urls = urls();
        assertEquals(ServerUrls.FIRST_BACKOFF, urls.failed(CACHE));
        assertEquals(List.of(CACHE2, ORIGIN), urls.forContent());
        now.addAndGet(ServerUrls.FIRST_BACKOFF.toNanos() - 1);
        assertEquals(List.of(CACHE2, ORIGIN), urls.forContent());
        now.addAndGet(1);
        assertEquals(List.of(CACHE, CACHE2, ORIGIN), urls.forContent(), "tried again once its back-off is over");

        assertEquals(ServerUrls.FIRST_BACKOFF.multipliedBy(2), urls.failed(CACHE), "failed again in a row");
        for (int i = 0; i < 10; i++) {
            urls.failed(CACHE);
        }
        assertEquals(ServerUrls.MAX_BACKOFF, urls.failed(CACHE));
        urls.answered(CACHE);
        assertEquals(List.of(CACHE, CACHE2, ORIGIN), urls.forContent(), "an answer ends the back-off");
        assertEquals(ServerUrls.FIRST_BACKOFF, urls.failed(CACHE), "and the count of failures");
    }

    @Test
    void whenEveryServerIsBackingOffAllAreTriedInOrder() {
        ServerUrls urls = urls();
        urls.failed(CACHE);
        urls.failed(CACHE2);
        urls.failed(ORIGIN);
        assertEquals(List.of(CACHE, CACHE2, ORIGIN), urls.forContent());
    }

    @Test
    void badListsAreRefusedNamingTheBadUrl() {
        assertThrows(IllegalArgumentException.class, () -> new ServerUrls(List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ServerUrls(List.of(URI.create("ftp://x"), URI.create(ORIGIN))));
        assertEquals("server must be an http:// or https:// URL with a host, got ftp://x", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ServerUrls(List.of(URI.create(ORIGIN), URI.create(ORIGIN + "/"))));
        assertEquals("server " + ORIGIN + " is named twice", e.getMessage());
    }

    @Test
    void firstBackOffIsShortEnoughForAReadToWaitOut() {
        assertEquals(Duration.ofSeconds(2), ServerUrls.FIRST_BACKOFF);
    }
}
