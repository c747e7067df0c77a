package dev.stackshare.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** `--fetch-deadline`, shared by `mount` and `exec`: how long a read waits for content while the server is away. */
final class FetchDeadlineOption {
    @Option(names = "--fetch-deadline", paramLabel = "DURATION", defaultValue = "120s",
            description = "How long a read waits for content while the server cannot be reached or answers badly, "
                    + "retrying with back-off, e.g. 30s, 5m (default: ${DEFAULT-VALUE}); then the read fails with EIO.")
    String text;

    Duration value() {
        return parse(text);
    }

    /** A positive duration: a number with an optional unit (ms, s, m, h); seconds without one. */
    static Duration parse(String text) {
        return Durations.parse("--fetch-deadline", text, false);
    }
}
