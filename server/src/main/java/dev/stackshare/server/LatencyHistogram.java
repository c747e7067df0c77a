package dev.stackshare.server;

import java.util.concurrent.atomic.LongAdder;

/** Durations counted into fixed buckets, as a Prometheus histogram wants them; safe for many threads. */
final class LatencyHistogram {
    /** Upper bounds in seconds: from a cached object's 1 ms to a big publish's minute. */
    static final double[] BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length];
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        double seconds = nanos / 1e9;
        for (int i = 0; i < BOUNDS.length; i++) {
            if (seconds <= BOUNDS[i]) {
                buckets[i].increment();
                break;
            }
        }
        count.increment();
        sumNanos.add(nanos);
    }

    /** A consistent-enough copy: cumulative counts per bound, then the total count and sum. */
    Snapshot snapshot() {
        long[] cumulative = new long[BOUNDS.length];
        long running = 0;
        for (int i = 0; i < BOUNDS.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(cumulative, Math.max(running, count.sum()), sumNanos.sum() / 1e9);
    }

    record Snapshot(long[] cumulative, long count, double sumSeconds) {
    }
}
