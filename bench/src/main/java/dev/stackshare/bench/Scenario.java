package dev.stackshare.bench;

/**
 * One way of running the job. {@link #run} returns what was measured; it starts from a state
 * it establishes itself (a cold run drops the page cache and uses a fresh mount and cache).
 */
interface Scenario {
    String name();

    /** Whether this scenario goes over the (emulated) network, so it is run at every RTT. */
    boolean networked();

    Measurement run(BenchContext ctx, double rttMillis, int repetition) throws Exception;
}
