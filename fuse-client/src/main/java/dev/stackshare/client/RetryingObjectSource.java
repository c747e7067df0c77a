package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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

    RetryingObjectSource(ObjectSource next, Duration deadline) {
        this(next, deadline, System::nanoTime, Thread::sleep);
    }

    RetryingObjectSource(ObjectSource next, Duration deadline, LongSupplier nanoTime, Pause pause) {
        if (deadline == null || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("fetch deadline must be positive, got " + deadline);
        }
        this.next = next;
        this.deadline = deadline;
        this.nanoTime = nanoTime;
        this.pause = pause;
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        long start = nanoTime.getAsLong();
        for (int attempt = 1; ; attempt++) {
            try {
                byte[] raw = next.get(digest);
                recovered();
                return raw;
            } catch (IOException e) {
                waitOrGiveUp(e, start, attempt, "object " + digest.hex());
            }
        }
    }

    @Override
    public void getEach(Collection<Digest> digests, Sink sink) throws IOException {
        long start = nanoTime.getAsLong();
        Set<Digest> left = new LinkedHashSet<>(digests);
        for (int attempt = 1; ; attempt++) {
            List<Digest> ask = new ArrayList<>(left);
            try {
                next.getEach(ask, (d, raw) -> {
                    if (left.remove(d)) {
                        sink.accept(d, raw);
                    }
                });
                recovered();
                return;
            } catch (IOException e) {
                if (left.isEmpty()) {
                    return; // everything arrived; the failure came after the last object
                }
                waitOrGiveUp(e, start, attempt, left.size() + " objects (first " + left.iterator().next().hex() + ")");
            }
        }
    }

    /** Tries made again after a failure, since the mount started; for tests and stats. */
    long retries() {
        return retries.get();
    }

    private void waitOrGiveUp(IOException e, long start, int attempt, String what) throws IOException {
        if (!retryable(e)) {
            throw e;
        }
        long now = nanoTime.getAsLong();
        if (failingSince.compareAndSet(Long.MIN_VALUE, now)) {
            log.warn("fetching from the server failed ({}); reads retry for up to {} s each", e.getMessage(),
                    deadline.toSeconds());
        }
        long leftMs = TimeUnit.NANOSECONDS.toMillis(start + deadline.toNanos() - now);
        if (leftMs <= 0) {
            throw new ClientException(ClientException.TIMEOUT, "no good answer for " + what + " within the "
                    + seconds(deadline) + " fetch deadline (" + attempt + " tries); last error: " + e.getMessage(), e);
        }
        long backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(attempt - 1, 16));
        log.debug("fetching {} failed ({}); try {} in {} ms", what, e.getMessage(), attempt + 1, backoff);
        retries.incrementAndGet();
        try {
            pause.sleep(Math.min(backoff, leftMs));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to fetch " + what + " again");
        }
    }

    private void recovered() {
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

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
