package dev.stackshare.bench;

/**
 * One run of one scenario. {@code seconds} is the job's wall time from the scenario's start
 * line (see {@link Scenario}); the network figures are what crossed the relay.
 *
 * @param setupSeconds   mount, copy or publish time before the job (0 when none)
 * @param networkBytes   bytes through the relay, both directions (0 for local runs)
 * @param requests       HTTP requests the stackshare server answered (0 for others)
 * @param objects        objects the stackshare server sent (0 for others)
 * @param peakRssKb      peak resident memory of the client process (mount or sshfs), 0 if none
 * @param clientCpuSeconds CPU time (user + system) the stackshare mount process spent during the job, 0 for others
 * @param serverCpuSeconds CPU time the stackshare server spent during the job, 0 for others
 */
public record Measurement(String scenario, double rttMillis, int repetition, double seconds, double setupSeconds,
                          long networkBytes, long requests, long objects, long peakRssKb,
                          double clientCpuSeconds, double serverCpuSeconds) {
    /** A run with no stackshare processes to account CPU for. */
    public Measurement(String scenario, double rttMillis, int repetition, double seconds, double setupSeconds,
                       long networkBytes, long requests, long objects, long peakRssKb) {
        this(scenario, rttMillis, repetition, seconds, setupSeconds, networkBytes, requests, objects, peakRssKb, 0, 0);
    }
}
