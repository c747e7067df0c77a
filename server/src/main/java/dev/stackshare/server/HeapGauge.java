package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server JVM's heap, for {@code /v1/stats}: used now, the most seen used (sampled every
 * {@link Api#HEAP_SAMPLE_MS} ms on a daemon thread of its own) and the bound ({@code -Xmx}).
 * Sampled rather than taken from the pools' peaks, whose sum over-states any one moment.
 */
final class HeapGauge implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private final ScheduledExecutorService sampler;

    private HeapGauge(ScheduledExecutorService sampler) {
        this.sampler = sampler;
    }

    static HeapGauge start() {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stackshare-heap-gauge");
            t.setDaemon(true);
            return t;
        });
        HeapGauge gauge = new HeapGauge(sampler);
        sampler.scheduleAtFixedRate(gauge::used, 0, Api.HEAP_SAMPLE_MS, TimeUnit.MILLISECONDS);
        return gauge;
    }

    /** Heap bytes in use now; also counts towards the peak. */
    long used() {
        long used = memory.getHeapMemoryUsage().getUsed();
        peak.accumulateAndGet(used, Math::max);
        return used;
    }

    long peak() {
        return peak.get();
    }

    /** The bound the heap may grow to: {@code -Xmx}. */
    long max() {
        return Runtime.getRuntime().maxMemory();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
