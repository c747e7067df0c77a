package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class OverloadRetryTest {
    private static Optional<Long> wait(double random, int status, String retryAfter, int refusedBefore) {
        return new OverloadRetry(() -> random).waitMillis(status, Optional.ofNullable(retryAfter), refusedBefore);
    }

    @Test
    void waitsWhatRetryAfterAsksStretchedByTheJitter() {
        assertEquals(Optional.of(2000L), wait(0.0, 503, "2", 0));
        assertEquals(Optional.of(3000L), wait(0.5, 503, " 2 ", 0));
        assertEquals(Optional.of(3998L), wait(0.999, 503, "2", 0));
    }

    @Test
    void eachRefusalOfTheSameRequestDoublesTheWaitUpToFourTimes() {
        assertEquals(Optional.of(1000L), wait(0.0, 503, "1", 0));
        assertEquals(Optional.of(2000L), wait(0.0, 503, "1", 1));
        assertEquals(Optional.of(4000L), wait(0.0, 503, "1", 2));
        assertEquals(Optional.of(4000L), wait(0.0, 503, "1", 29));
        assertEquals(Optional.of(OverloadRetry.MAX_WAIT_MS), wait(0.9, 503, "2", 5));
    }

    @Test
    void zeroWaitsAtLeastTheFloorAndAHugeOneAtMostTheCap() {
        assertEquals(Optional.of(OverloadRetry.MIN_WAIT_MS), wait(0.0, 503, "0", 0));
        assertEquals(Optional.of(OverloadRetry.MAX_WAIT_MS), wait(0.9, 503, "86400", 0));
    }

    @Test
    void onlyA503WithDelaySecondsAsksForARetry() {
        assertEquals(Optional.empty(), wait(0.5, 503, null, 0));
        assertEquals(Optional.empty(), wait(0.5, 503, "Wed, 21 Oct 2015 07:28:00 GMT", 0));
        assertEquals(Optional.empty(), wait(0.5, 503, "-1", 0));
        assertEquals(Optional.empty(), wait(0.5, 429, "1", 0));
        assertEquals(Optional.empty(), wait(0.5, 200, "1", 0));
    }
}
