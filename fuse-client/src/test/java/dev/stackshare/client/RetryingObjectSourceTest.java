package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import dev.stackshare.protocol.ProtocolException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryingObjectSourceTest {
    private final byte[] good = {1, 2, 3};
    private final Digest digest = Digest.of(good);
    /** A fake clock: pauses advance it instead of sleeping. */
    private long now;
    private final List<Long> pauses = new ArrayList<>();

    private final Counters counters = new Counters();

    private RetryingObjectSource retrying(ObjectSource next, Duration deadline) {
        return new RetryingObjectSource(next, deadline, () -> now, ms -> {
            pauses.add(ms);
            now += ms * 1_000_000;
        }, counters);
    }

    private static ClientException down() {
        return new ClientException(ClientException.UNREACHABLE, "cannot reach server http://h:1: connection refused");
    }

    @Test
    void retriesWhileTheServerIsDownThenServes() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        ObjectSource flaky = d -> {
            if (calls.incrementAndGet() <= 4) {
                throw down();
            }
            return good;
        };
        RetryingObjectSource source = retrying(flaky, Duration.ofSeconds(120));
        assertArrayEquals(good, source.get(digest));
        assertEquals(List.of(100L, 200L, 400L, 800L), pauses, "back-off doubles");
        assertEquals(4, source.retries());
        assertEquals(4, counters.snapshot().fetchRetries(), "the mount's stats count them");
        assertEquals(0, counters.snapshot().fetchesGivenUp());
    }

    @Test
    void backOffIsCappedAndTheLastPauseEndsAtTheDeadline() {
        RetryingObjectSource source = retrying(d -> {
            throw down();
        }, Duration.ofSeconds(20));
        ClientException e = assertThrows(ClientException.class, () -> source.get(digest));
        assertEquals(ClientException.TIMEOUT, e.code());
        assertTrue(e.getMessage().contains(digest.hex()) && e.getMessage().contains("20 s fetch deadline")
                && e.getMessage().contains("connection refused"), e.getMessage());
        assertTrue(pauses.stream().allMatch(p -> p <= RetryingObjectSource.MAX_BACKOFF_MS), pauses.toString());
        assertEquals(20_000_000_000L, now, "gives up at the deadline, not before or after");
        assertEquals(1, counters.snapshot().fetchesGivenUp(), "the mount's stats count the failed read");
    }

    @Test
    void anObjectGivenUpOnGetsOneTryForAMomentThenItsWholeDeadlineAgain() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        boolean[] up = {false};
        RetryingObjectSource source = retrying(d -> {
            calls.incrementAndGet();
            if (!up[0]) {
                throw down();
            }
            return good;
        }, Duration.ofSeconds(5));
        RetryingObjectSource.GaveUp first = assertThrows(RetryingObjectSource.GaveUp.class, () -> source.get(digest));
        assertFalse(first.repeated());
        int tries = calls.get();
        // The kernel's immediate second try: one try, no second deadline, marked so it is not logged again.
        long before = now;
        RetryingObjectSource.GaveUp again = assertThrows(RetryingObjectSource.GaveUp.class, () -> source.get(digest));
        assertTrue(again.repeated() && RetryingObjectSource.GaveUp.isRepeated(new IOException("wrapped", again)));
        assertEquals(tries + 1, calls.get(), "one try");
        assertEquals(before, now, "no waiting");
        // The server is back within the window: that one try succeeds.
        up[0] = true;
        assertArrayEquals(good, source.get(digest));
        up[0] = false;
        now += (RetryingObjectSource.REPEAT_WINDOW_MS + 1) * 1_000_000;
        assertThrows(RetryingObjectSource.GaveUp.class, () -> source.get(digest));
        assertTrue(now - before >= 5_000_000_000L, "after the window a fetch gets its whole deadline again");
    }

    @Test
    void corruptOrCutAnswersAreAskedForAgain() throws IOException {
        List<IOException> failures = new ArrayList<>(List.of(
                new DigestMismatchException(digest, Digest.of(new byte[] {9}), "http://h:1"),
                new ProtocolException("truncated zstd frame"),
                new IOException("EOF reached while reading"),
                new ClientException(ClientException.BAD_ANSWER, "server sent a broken answer"),
                new ClientException(ClientException.NETWORK, "connection reset"),
                new ClientException(ClientException.TIMEOUT, "did not answer")));
        ObjectSource flaky = d -> {
            if (!failures.isEmpty()) {
                throw failures.remove(0);
            }
            return good;
        };
        assertArrayEquals(good, retrying(flaky, Duration.ofSeconds(120)).get(digest));
        assertEquals(6, pauses.size());
    }

    @Test
    void failuresThatAskingAgainCannotMendAreThrownAtOnce() {
        for (IOException permanent : List.of(
                new ClientException(ClientException.UNAUTHORIZED, "refused the token"),
                new ClientException(ClientException.UNKNOWN_OBJECT, "does not have object"),
                new ClientException("changed-since-publish", "the file changed"),
                new InterruptedIOException("interrupted"))) {
            RetryingObjectSource source = retrying(d -> {
                throw permanent;
            }, Duration.ofSeconds(120));
            assertSame(permanent, assertThrows(IOException.class, () -> source.get(digest)));
        }
        assertTrue(pauses.isEmpty(), pauses.toString());
    }

    @Test
    void aBatchBrokenHalfWayAsksAgainOnlyForWhatHasNotArrived() throws IOException {
        Map<Digest, byte[]> objects = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            byte[] raw = {(byte) i, 42};
            objects.put(Digest.of(raw), raw);
        }
        List<List<Digest>> asked = new ArrayList<>();
        ObjectSource breaksOnce = new ObjectSource() {
            @Override
            public byte[] get(Digest d) {
                return objects.get(d);
            }

            @Override
            public void getEach(Collection<Digest> digests, Sink sink) throws IOException {
                asked.add(List.copyOf(digests));
                int n = 0;
                for (Digest d : digests) {
                    if (asked.size() == 1 && n++ == 2) {
                        throw new ClientException(ClientException.NETWORK, "connection reset");
                    }
                    sink.accept(d, objects.get(d));
                }
            }
        };
        Map<Digest, byte[]> got = new LinkedHashMap<>();
        retrying(breaksOnce, Duration.ofSeconds(120)).getEach(objects.keySet(), (d, raw) -> {
            assertFalse(got.containsKey(d), "each object reaches the sink once");
            got.put(d, raw);
        });
        assertEquals(objects.keySet(), got.keySet());
        List<Digest> all = new ArrayList<>(objects.keySet());
        assertEquals(List.of(all, all.subList(2, 5)), asked);
    }

    @Test
    void refusesANonPositiveDeadline() {
        assertThrows(IllegalArgumentException.class, () -> retrying(d -> good, Duration.ZERO));
    }
}
