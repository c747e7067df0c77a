package dev.stackshare.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations on the command line: a number with an optional unit (ms, s, m, h), seconds without one. */
final class Durations {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)?");

    private Durations() {
    }

    /**
     * @param option    the option's name, for the error
     * @param allowZero whether 0 is a value (it means "not at all" for some options)
     */
    static Duration parse(String option, String text, boolean allowZero) {
        Matcher m = DURATION.matcher(text == null ? "" : text.strip());
        if (!m.matches() || !allowZero && Long.parseLong(m.group(1)) == 0) {
            throw new UserError(option + " wants a " + (allowZero ? "" : "positive ") + "number with an optional unit "
                    + "(ms, s, m, h), like 120s or 5m; got '" + text + "'");
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
