package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps asking for an object, with back-off, while the failure is one that asking again can
 * mend: a server that is down or restarting, a connection that broke or stalled, an answer that
 * was cut short or arrived corrupted (its digest did not match). Each call has a deadline; past
 * it the last failure is thrown, naming the object and the deadline, so a read fails with EIO
 * instead of hanging a job forever. Failures asking again cannot mend (a refused token, an
 * object the server does not have, a file changed since publish) are thrown at once.
 *
 * <p>Sits above the disk cache, so each retry looks there first: another mount on the node may
 * have fetched the object meanwhile. A batch that fails half way asks again only for the objects
 * it has not handed on yet.
 */
final class RetryingObjectSource implements ObjectSource {
    private static final Logger log = LoggerFactory.getLogger(RetryingObjectSource.class);
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;
    /**
     * How long an object given up on gets a single try when asked for again. The kernel asks a
     * second time for a page whose read failed; without this, that read would wait a second
     * deadline and log a second line. One try, not none: the server may be back already.
     */
    static final long REPEAT_WINDOW_MS = 2_000;

    /** Waits between tries; tests pass one that only advances their clock. */
    @FunctionalInterface
    interface Pause {
        void sleep(long millis) throws InterruptedException;
    }

    private final ObjectSource next;
    private final Duration deadline;
    private final LongSupplier nanoTime;
    private final Pause pause;
    /** When the current run of failures began (nanoTime), or Long.MIN_VALUE while fetches succeed. */
    private final AtomicLong failingSince = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong retries = new AtomicLong();
    private final Counters counters;
    /** Objects given up on at their deadline, and when (nanoTime). */
    private final Map<Digest, Long> givenUp = new ConcurrentHashMap<>();

    RetryingObjectSource(ObjectSource next, Duration deadline) {
        this(next, deadline, new Counters());
    }

    /** @param counters the mount's, told of every retry and every fetch given up on */
    RetryingObjectSource(ObjectSource next, Duration deadline, Counters counters) {
        this(next, deadline, System::nanoTime, Thread::sleep, counters);
    }

    RetryingObjectSource(ObjectSource next, Duration deadline, LongSupplier nanoTime, Pause pause) {
        this(next, deadline, nanoTime, pause, new Counters());
    }

    RetryingObjectSource(ObjectSource next, Duration deadline, LongSupplier nanoTime, Pause pause, Counters counters) {
        if (deadline == null || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("fetch deadline must be positive, got " + deadline);
        }
        this.next = next;
        this.deadline = deadline;
        this.nanoTime = nanoTime;
        this.pause = pause;
        this.counters = counters;
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        long start = nanoTime.getAsLong();
        String recent = justGivenUp(List.of(digest), start);
        for (int attempt = 1; ; attempt++) {
            try {
                byte[] raw = next.get(digest);
                if (recent != null) {
                    givenUp.remove(digest);
                }
                recovered(attempt);
                return raw;
            } catch (IOException e) {
                failIfGivenUpAlready(recent, e);
                waitOrGiveUp(e, start, attempt, "object " + digest.hex(), List.of(digest));
            }
        }
    }

    @Override
    public void getEach(Collection<Digest> digests, Sink sink) throws IOException {
        long start = nanoTime.getAsLong();
        Set<Digest> left = new LinkedHashSet<>(digests);
        String recent = justGivenUp(left, start);
        for (int attempt = 1; ; attempt++) {
            List<Digest> ask = new ArrayList<>(left);
            try {
                next.getEach(ask, (d, raw) -> {
                    if (left.remove(d)) {
                        if (recent != null) {
                            givenUp.remove(d);
                        }
                        sink.accept(d, raw);
                    }
                });
                recovered(attempt);
                return;
            } catch (IOException e) {
                if (left.isEmpty()) {
                    return; // everything arrived; the failure came after the last object
                }
                failIfGivenUpAlready(recent, e);
                waitOrGiveUp(e, start, attempt, left.size() + " objects (first " + left.iterator().next().hex() + ")", left);
            }
        }
    }

    /** Tries made again after a failure, since the mount started; for tests and stats. */
    long retries() {
        return retries.get();
    }

    /**
     * Says so when one of these objects was given up on within the last {@link #REPEAT_WINDOW_MS};
     * null otherwise. Such a fetch gets one try, not a second deadline.
     */
    private String justGivenUp(Collection<Digest> digests, long now) {
        if (givenUp.isEmpty()) {
            return null;
        }
        givenUp.values().removeIf(at -> now - at > TimeUnit.MILLISECONDS.toNanos(REPEAT_WINDOW_MS));
        for (Digest d : digests) {
            Long at = givenUp.get(d);
            if (at != null) {
                return "object " + d.hex() + " could not be fetched within the " + seconds(deadline)
                        + " fetch deadline " + TimeUnit.NANOSECONDS.toMillis(now - at) + " ms ago";
            }
        }
        return null;
    }

    /** After the one try a just-given-up object gets: a failure that a wait might mend ends it at once. */
    private static void failIfGivenUpAlready(String recent, IOException e) throws GaveUp {
        if (recent != null && retryable(e)) {
            throw new GaveUp(recent + ", and one more try failed: " + e.getMessage(), e, true);
        }
    }

    private void waitOrGiveUp(IOException e, long start, int attempt, String what, Collection<Digest> digests)
            throws IOException {
        if (!retryable(e)) {
            throw e;
        }
        long now = nanoTime.getAsLong();
        if (failingSince.compareAndSet(Long.MIN_VALUE, now)) {
            log.warn("fetching from the server failed ({}); reads retry for up to {} each", e.getMessage(),
                    seconds(deadline));
        }
        long leftMs = TimeUnit.NANOSECONDS.toMillis(start + deadline.toNanos() - now);
        if (leftMs <= 0) {
            for (Digest d : digests) {
                givenUp.put(d, now);
            }
            failingSince.set(Long.MIN_VALUE); // the read's own log line says it; the next failure warns anew
            counters.fetchGivenUp();
            throw new GaveUp("no good answer for " + what + " within the " + seconds(deadline) + " fetch deadline ("
                    + attempt + " tries); last error: " + e.getMessage(), e, false);
        }
        long backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(attempt - 1, 16));
        log.debug("fetching {} failed ({}); try {} in {} ms", what, e.getMessage(), attempt + 1, backoff);
        retries.incrementAndGet();
        counters.fetchRetried();
        try {
            pause.sleep(Math.min(backoff, leftMs));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to fetch " + what + " again");
        }
    }

    /**
     * Notes a fetch that succeeded. Only one that failed first says the server is back: a first
     * try may have been answered by the disk cache while the server is still away.
     */
    private void recovered(int attempt) {
        if (attempt == 1) {
            return;
        }
        long since = failingSince.getAndSet(Long.MIN_VALUE);
        if (since != Long.MIN_VALUE) {
            log.info("fetching from the server works again, after {} ms of failures",
                    TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - since));
        }
    }

    /**
     * Whether asking again may succeed: the server unreachable or failing inside, the answer cut
     * short, malformed or not matching its digest. Not: a refused token, an object the server
     * lacks, a file changed since publish, an interruption.
     */
    static boolean retryable(IOException e) {
        if (e instanceof InterruptedIOException || e instanceof NotCachedException) {
            return false;
        }
        if (e instanceof ClientException c) {
            return c.unreachable() || ClientException.BAD_ANSWER.equals(c.code()) || "internal".equals(c.code())
                    || "overloaded".equals(c.code());
        }
        // The memory cache hands waiters a fresh IOException whose cause is the fetch's failure.
        if (e.getClass() == IOException.class && e.getCause() instanceof IOException cause && cause != e) {
            return retryable(cause);
        }
        return true; // a broken stream, a bad frame, a digest mismatch
    }

    /**
     * A fetch that ran out of its deadline. {@link #repeated()} marks the quick failure of an
     * object given up on moments ago, which the FUSE adapter does not log again.
     */
    static final class GaveUp extends ClientException {
        private static final long serialVersionUID = 1L;
        private final boolean repeated;

        GaveUp(String message, Throwable cause, boolean repeated) {
            super(ClientException.TIMEOUT, message, cause);
            this.repeated = repeated;
        }

        boolean repeated() {
            return repeated;
        }

        /** Whether {@code e} or one of its causes is a repeated give-up. */
        static boolean isRepeated(Throwable e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof GaveUp g) {
                    return g.repeated;
                }
            }
            return false;
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
