package dev.stackshare.bench;

import dev.stackshare.protocol.Api;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks the origin for its latest view every {@link #INTERVAL_MS} ms while a load runs, as a
 * node's {@code mount --snapshot latest} would, and keeps the slowest answer: the server stays
 * responsive when that stays small. A look-up that fails or takes past {@link #TIMEOUT} counts as failed.
 */
final class ViewProbe implements AutoCloseable {
    static final long INTERVAL_MS = 250;
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final HttpRequest request;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong slowestNanos = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    ViewProbe(URI origin, String token) {
        this.request = HttpRequest.newBuilder(origin.resolve(Api.VIEWS + Api.LATEST)).timeout(TIMEOUT)
                .header("Authorization", Api.BEARER + token).build();
        this.thread = new Thread(this::loop, "bench-view-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!stopped) {
            long start = System.nanoTime();
            try {
                HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    answered.incrementAndGet();
                    slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                } else {
                    failed.incrementAndGet();
                }
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (java.io.IOException e) {
                failed.incrementAndGet();
            }
        }
    }

    long answered() {
        return answered.get();
    }

    long failed() {
        return failed.get();
    }

    double slowestMillis() {
        return slowestNanos.get() / 1e6;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(TIMEOUT.toMillis());
    }
}
