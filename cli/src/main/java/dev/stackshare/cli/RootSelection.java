package dev.stackshare.cli;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Which roots {@code serve} exports: those found in the environment (when no {@code --root} is
 * given, or with {@code --capture-env}), plus every {@code --root}, minus what {@code --exclude}
 * names, outermost only.
 */
final class RootSelection {
    private RootSelection() {
    }

    static List<EnvironmentCapture.Root> select(Map<String, String> env, List<Path> explicit, boolean captureEnv,
                                                List<String> excludes) {
        List<EnvironmentCapture.Root> all = new ArrayList<>();
        for (Path p : explicit) {
            all.add(new EnvironmentCapture.Root(Paths.absolute(p), "--root"));
        }
        if (explicit.isEmpty() || captureEnv) {
            all.addAll(EnvironmentCapture.roots(env));
        }
        List<PathMatcher> matchers = new ArrayList<>();
        for (String glob : excludes) {
            try {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new UserError("--exclude '" + glob + "' is not a valid glob: " + e.getDescription());
            }
        }
        all.removeIf(r -> matchers.stream().anyMatch(m -> m.matches(r.path())
                || (r.path().getFileName() != null && m.matches(r.path().getFileName()))));
        if (all.isEmpty()) {
            throw new UserError(explicit.isEmpty()
                    ? "nothing to export: no --root given, and this shell has no eups products set up, no conda"
                            + " environment and no search-path directories outside the system; give --root DIR"
                    : "every root was excluded by --exclude; nothing to export");
        }
        // Outermost only; two nested --root dirs are kept so the server names both in its error.
        all.sort(Comparator.comparingInt(r -> r.path().getNameCount()));
        List<EnvironmentCapture.Root> kept = new ArrayList<>();
        for (EnvironmentCapture.Root r : all) {
            boolean covered = kept.stream().anyMatch(k -> r.path().startsWith(k.path())
                    && !(isExplicit(k) && isExplicit(r)));
            if (!covered) {
                kept.add(r);
            }
        }
        kept.sort(Comparator.comparing(r -> r.path().toString()));
        return kept;
    }

    private static boolean isExplicit(EnvironmentCapture.Root r) {
        return r.reason().equals("--root");
    }
}
