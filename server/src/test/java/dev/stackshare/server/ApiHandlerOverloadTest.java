package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Json;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-flight bound: data requests past it get 503 with Retry-After, look-ups never do, places come back. */
class ApiHandlerOverloadTest {
    private static final String OBJECT = Api.OBJECTS + "ab".repeat(32);
    private static final String TRACE = Api.SNAPSHOTS + "/0123456789abcdef" + Api.TRACE_SUFFIX;

    @TempDir
    Path tmp;
    private final Counters counters = new Counters();
    private final InFlightLimit limit = new InFlightLimit(1);
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        SnapshotStore snapshots = SnapshotStore.open(tmp.resolve("snapshots"), tmp.resolve("views"));
        ApiService service = new ApiService(null, null, snapshots, null, Api.DEFAULT_VIEW, counters, null);
        channel = new EmbeddedChannel(new ApiHandler(service, new SameThread(), new SameThread(), limit, counters));
    }

    private FullHttpResponse get(String uri) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri));
        channel.runPendingTasks();
        return channel.readOutbound();
    }

    private static Api.ErrorBody error(FullHttpResponse response) throws Exception {
        try {
            return Json.read(ByteBufUtil.getBytes(response.content()), Api.ErrorBody.class);
        } finally {
            response.release();
        }
    }

    @Test
    void dataRequestPastTheBoundIs503WithRetryAfterAndAStableCode() throws Exception {
        assertTrue(limit.tryAcquire("another client")); // another client holds the only place
        FullHttpResponse response = get(OBJECT);
        assertEquals(503, response.status().code());
        assertEquals(String.valueOf(InFlightLimit.RETRY_AFTER_SECONDS), response.headers().get("Retry-After"));
        assertEquals("no-store", response.headers().get("Cache-Control"));
        assertEquals(Api.OVERLOADED, error(response).code());
        assertEquals(1, counters.overloaded.sum());
        assertTrue(channel.isOpen(), "a refused request keeps its connection");
        assertEquals(1, limit.inFlight(), "a refused request takes no place");
    }

    @Test
    void statsAndViewLookUpsAreAnsweredWhileTheBoundIsReached() throws Exception {
        assertTrue(limit.tryAcquire("another client"));
        FullHttpResponse stats = get(Api.STATS);
        assertEquals(200, stats.status().code());
        Api.ServerStats answer = Json.read(ByteBufUtil.getBytes(stats.content()), Api.ServerStats.class);
        stats.release();
        assertEquals(0, answer.overloaded());
        FullHttpResponse view = get(Api.VIEWS + Api.LATEST);
        assertEquals(404, view.status().code(), "an empty server has no view, but it answers");
        assertEquals("unknown-view", error(view).code());
        assertEquals(0, counters.overloaded.sum());
    }

    @Test
    void aDataRequestGivesItsPlaceBackOnceAnswered() throws Exception {
        for (int i = 0; i < 3; i++) {
            FullHttpResponse response = get(TRACE);
            assertEquals(404, response.status().code());
            assertEquals("unknown-snapshot", error(response).code());
            assertEquals(0, limit.inFlight());
        }
        assertEquals(0, counters.overloaded.sum());
    }

    @Test
    void aDataRequestGivesItsPlaceBackWhenItsConnectionDies() {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, TRACE));
        channel.close();
        channel.runPendingTasks();
        assertEquals(0, limit.inFlight());
    }

    @Test
    void oneClientHoldsAtMostItsShareAndOthersStillGetPlaces() {
        InFlightLimit shared = new InFlightLimit(4, 3);
        for (int i = 0; i < 3; i++) {
            assertTrue(shared.tryAcquire("stuck node"));
        }
        assertFalse(shared.tryAcquire("stuck node"), "past its share");
        assertTrue(shared.tryAcquire("another node"));
        assertFalse(shared.tryAcquire("a third node"), "past the whole bound");
        shared.release("stuck node");
        assertTrue(shared.tryAcquire("a third node"));
        assertEquals(4, shared.inFlight());
    }

    @Test
    void boundBelowOneIsRefusedWithTheValue() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new InFlightLimit(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }

    /** Runs each task at once on the caller's thread (the embedded event loop), so the test sees every write. */
    private static final class SameThread extends AbstractExecutorService {
        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
