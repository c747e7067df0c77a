package dev.stackshare.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** `--fetch-deadline`, shared by `mount` and `exec`: how long a read waits for content while the server is away. */
final class FetchDeadlineOption {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)?");

    @Option(names = "--fetch-deadline", paramLabel = "DURATION", defaultValue = "120s",
            description = "How long a read waits for content while the server cannot be reached or answers badly, "
                    + "retrying with back-off, e.g. 30s, 5m (default: ${DEFAULT-VALUE}); then the read fails with EIO.")
    String text;

    Duration value() {
        return parse(text);
    }

    /** A positive duration: a number with an optional unit (ms, s, m, h); seconds without one. */
    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UserError("--fetch-deadline wants a positive number with an optional unit (ms, s, m, h), like 120s "
                    + "or 5m; got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
