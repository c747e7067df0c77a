package dev.stackshare.client;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before sending again a request the server refused with 503 and
 * {@code Retry-After} (it did no work, so any request may be sent again): what the header asks
 * (at least {@link #MIN_WAIT_MS}), doubled with each refusal of the same request up to
 * {@link #MAX_GROWTH} times that, stretched by a random factor between 1 and 2 so that hundreds
 * of nodes refused at once do not all come back at once, and never more than
 * {@link #MAX_WAIT_MS}. A request is sent again at most {@link #MAX_RETRIES} times: with
 * {@code Retry-After: 1}, about three minutes of waiting, since a node that gives up fails its
 * job, and the nodes already served finish and make room.
 */
final class OverloadRetry {
    static final int MAX_RETRIES = 30;
    static final long MIN_WAIT_MS = 10;
    static final long MAX_WAIT_MS = 10_000;
    static final int MAX_GROWTH = 4;

    private final DoubleSupplier random;

    OverloadRetry() {
        this(() -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random numbers in [0, 1), the jitter */
    OverloadRetry(DoubleSupplier random) {
        this.random = random;
    }

    /**
     * The wait before the next try, or empty when the answer does not ask for a retry: a 503
     * without {@code Retry-After} (or with an HTTP date, which clocks across hosts make
     * meaningless here) is an error like any other.
     */
    Optional<Long> waitMillis(int status, Optional<String> retryAfter, int refusedBefore) {
        if (status != 503 || retryAfter.isEmpty()) {
            return Optional.empty();
        }
        long seconds;
        try {
            seconds = Long.parseLong(retryAfter.get().strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (seconds < 0) {
            return Optional.empty();
        }
        long base = Math.max(MIN_WAIT_MS, Math.min(MAX_WAIT_MS, seconds * 1000))
                * Math.min(MAX_GROWTH, 1L << Math.min(refusedBefore, 30));
        return Optional.of(Math.min(MAX_WAIT_MS, base + (long) (base * random.getAsDouble())));
    }
}
