package dev.stackshare.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What to run: a stack and a working tree, a job that uses them, the network conditions, and
 * how often. {@code job} is a command whose arguments may contain {@code {stack}} and
 * {@code {worktree}}: each scenario substitutes the paths where it made them visible.
 *
 * @param launcher       the {@code stackshare} launcher to measure
 * @param expectInOutput a string the job prints when it succeeded (checked every run), or null
 * @param rttsMillis     emulated round-trip times; networked scenarios run at each
 * @param bytesPerSecond bandwidth cap of the emulated network, 0 for none
 * @param scenarios      names of the scenarios to run, in order
 * @param outDir         where results.md, results.json and chart.svg go
 */
public record BenchConfig(Path launcher, Path stack, Path worktree, List<String> job, String expectInOutput,
                          List<Double> rttsMillis, long bytesPerSecond, int repetitions, List<String> scenarios,
                          Path outDir) {
    public BenchConfig {
        if (repetitions < 1) {
            throw new IllegalArgumentException("repetitions must be at least 1, got " + repetitions);
        }
        if (rttsMillis.isEmpty() || rttsMillis.stream().anyMatch(r -> r < 0)) {
            throw new IllegalArgumentException("give at least one RTT, none negative: " + rttsMillis);
        }
        job = List.copyOf(job);
        rttsMillis = List.copyOf(rttsMillis);
        scenarios = List.copyOf(scenarios);
    }
}
