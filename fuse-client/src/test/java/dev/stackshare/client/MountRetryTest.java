package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.ProtocolException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MountRetryTest {
    @Test
    void aBrokenAnswerIsAskedForAgain() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        String got = MountRetry.call(Duration.ofSeconds(120), "the tree", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new ClientException(ClientException.BAD_ANSWER, "server sent a broken answer to the tree");
            }
            return "tree";
        });
        assertEquals("tree", got);
        assertEquals(3, calls.get());
    }

    @Test
    void aServerThatIsDownOrSilentFailsTheMountAtOnce() {
        for (String code : new String[] {ClientException.UNREACHABLE, ClientException.TIMEOUT}) {
            ClientException down = new ClientException(code, "cannot reach server");
            AtomicInteger calls = new AtomicInteger();
            assertSame(down, assertThrows(ClientException.class, () -> MountRetry.call(Duration.ofSeconds(120), "x", () -> {
                calls.incrementAndGet();
                throw down;
            })));
            assertEquals(1, calls.get());
        }
    }

    @Test
    void whichFailuresAreBrokenAnswers() {
        assertTrue(MountRetry.brokenAnswer(new ClientException(ClientException.NETWORK, "reset")));
        assertTrue(MountRetry.brokenAnswer(new ProtocolException("bad frame")));
        assertTrue(MountRetry.brokenAnswer(new IOException("EOF")));
        assertFalse(MountRetry.brokenAnswer(new ClientException(ClientException.UNAUTHORIZED, "401")));
        assertFalse(MountRetry.brokenAnswer(new ClientException(ClientException.UNKNOWN_SNAPSHOT, "404")));
    }

    @Test
    void triesStopWithinTheShorterOfItsBoundAndTheFetchDeadline() {
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();
        assertThrows(IOException.class, () -> MountRetry.call(Duration.ofMillis(500), "x", () -> {
            calls.incrementAndGet();
            throw new IOException("EOF");
        }));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 2_000 && calls.get() >= 2, calls.get() + " tries in " + ms + " ms");
    }
}
