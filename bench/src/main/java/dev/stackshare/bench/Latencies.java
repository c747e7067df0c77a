package dev.stackshare.bench;

import java.util.Arrays;

/**
 * Object latencies of a load run, every one kept (a few hundred thousand longs at most), so
 * percentiles are exact rather than binned. Added to from many client threads.
 */
final class Latencies {
    private long[] nanos = new long[4096];
    private int size;

    synchronized void add(long value) {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        nanos[size++] = value;
    }

    synchronized int count() {
        return size;
    }

    /** The nearest-rank percentile in milliseconds, or 0 with no samples. */
    synchronized double percentileMillis(double percentile) {
        if (percentile <= 0 || percentile > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + percentile);
        }
        if (size == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * size);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
