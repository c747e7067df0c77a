package dev.stackshare.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries the mount's own requests (the snapshot record, the tree) when the server answered but
 * the answer broke: a connection reset or cut short, an answer that does not decode or match its
 * digest. A server that cannot be reached or does not answer in time fails the mount at once, as
 * before: a batch prologue should hear about a dead server in seconds, not wait out a deadline.
 */
final class MountRetry {
    private static final Logger log = LoggerFactory.getLogger(MountRetry.class);
    /** The mount's tries stop after this long, or the fetch deadline if shorter. */
    static final Duration MAX = Duration.ofSeconds(30);

    /** One of the mount's requests. */
    @FunctionalInterface
    interface Step<T> {
        T run() throws IOException;
    }

    private MountRetry() {
    }

    static <T> T call(Duration fetchDeadline, String what, Step<T> step) throws IOException {
        long budget = Math.min(MAX.toNanos(), fetchDeadline.toNanos());
        long start = System.nanoTime();
        long backoff = RetryingObjectSource.FIRST_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                return step.run();
            } catch (IOException e) {
                if (!brokenAnswer(e) || System.nanoTime() - start + TimeUnit.MILLISECONDS.toNanos(backoff) > budget) {
                    throw e;
                }
                log.info("{} failed ({}); try {} in {} ms", what, e.getMessage(), attempt + 1, backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while mounting");
                }
                backoff = Math.min(RetryingObjectSource.MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    /** A failure of the answer, not of the server: worth asking again at mount. */
    static boolean brokenAnswer(IOException e) {
        if (e instanceof ClientException c
                && (ClientException.UNREACHABLE.equals(c.code()) || ClientException.TIMEOUT.equals(c.code()))) {
            return false;
        }
        return RetryingObjectSource.retryable(e);
    }
}
