package dev.stackshare.server;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * What {@code --exclude GLOB} leaves out. A glob without a slash matches an entry's name
 * anywhere ({@code __pycache__}, {@code *.o}); a glob with a slash matches the entry's
 * absolute path on the host ({@code /home/a/stack/tests/**}).
 */
final class Excludes {
    static final Excludes NONE = new Excludes(List.of(), List.of());

    private final List<PathMatcher> byName;
    private final List<PathMatcher> byPath;

    private Excludes(List<PathMatcher> byName, List<PathMatcher> byPath) {
        this.byName = byName;
        this.byPath = byPath;
    }

    static Excludes of(List<String> globs) throws ServerException {
        List<PathMatcher> byName = new java.util.ArrayList<>();
        List<PathMatcher> byPath = new java.util.ArrayList<>();
        for (String glob : globs) {
            if (glob.isBlank()) {
                throw new ServerException("--exclude needs a glob such as '*.o' or '/abs/path/**', got an empty one");
            }
            try {
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                (glob.indexOf('/') >= 0 ? byPath : byName).add(m);
            } catch (PatternSyntaxException e) {
                throw new ServerException("--exclude '" + glob + "' is not a valid glob: " + e.getDescription());
            }
        }
        return new Excludes(List.copyOf(byName), List.copyOf(byPath));
    }

    boolean matches(Path path) {
        if (byName.isEmpty() && byPath.isEmpty()) {
            return false; // the usual case, asked for every entry of a walk: no name to make
        }
        Path name = path.getFileName();
        for (PathMatcher m : byName) {
            if (name != null && m.matches(name)) {
                return true;
            }
        }
        for (PathMatcher m : byPath) {
            if (m.matches(path)) {
                return true;
            }
        }
        return false;
    }
}
