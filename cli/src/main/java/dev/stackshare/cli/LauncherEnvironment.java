package dev.stackshare.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * The user's environment as it was before {@code bin/stackshare} touched it. The launcher sets
 * {@code LC_ALL=C.UTF-8} when the locale is not UTF-8 (Java needs it for non-ASCII file names);
 * that must neither be recorded in a snapshot nor passed to a job.
 */
final class LauncherEnvironment {
    static final String MARK = "STACKSHARE_LAUNCHER_SET_LC_ALL";

    private LauncherEnvironment() {
    }

    static Map<String, String> original(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        if (copy.remove(MARK) != null) {
            copy.remove("LC_ALL");
        }
        return copy;
    }
}
