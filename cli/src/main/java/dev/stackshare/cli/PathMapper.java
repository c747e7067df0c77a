package dev.stackshare.cli;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the developer's paths into a mount: every occurrence of a root path in a value
 * (alone, in a colon-separated list, or inside a longer string such as eups' {@code SETUP_*})
 * gets the mountpoint put in front of it. A root path only matches at path boundaries, so
 * {@code /a/stack} is not taken for a prefix of {@code /a/stack2}.
 */
final class PathMapper {
    private static final String BEFORE = "(?<=^|[\\s:=\"',;])";
    private static final String AFTER = "(?=$|[/\\s:\"',;])";

    private final Pattern roots;
    private final String mount;

    PathMapper(List<String> rootPaths, Path mountpoint) {
        // Longest first, so a root inside another (never exported, but harmless) maps whole.
        String alternatives = rootPaths.stream().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).reduce((a, b) -> a + "|" + b).orElse("(?!)");
        this.roots = Pattern.compile(BEFORE + "(" + alternatives + ")" + AFTER);
        this.mount = mountpoint.toString().equals("/") ? "" : mountpoint.toString();
    }

    String map(String value) {
        return roots.matcher(value).replaceAll(m -> Matcher.quoteReplacement(mount + m.group(1)));
    }

    Map<String, String> map(Map<String, String> env) {
        Map<String, String> mapped = new TreeMap<>();
        env.forEach((k, v) -> mapped.put(k, map(v)));
        return mapped;
    }

    /** A line {@code export NAME='value'} that any POSIX shell reads back exactly. */
    static String exportLine(String name, String value) {
        return "export " + name + "='" + value.replace("'", "'\\''") + "'";
    }
}
