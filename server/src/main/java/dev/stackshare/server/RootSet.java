package dev.stackshare.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The exported roots, checked once at start: absolute, existing directories, none inside another. */
final class RootSet {
    private final List<Path> roots;

    private RootSet(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /**
     * Checks the roots as the user gave them. Paths are normalized but not resolved through
     * symlinks, because the mount shows each root under the path the user knows it by; overlap is
     * judged on those paths, since that is where two roots would collide in the mount.
     */
    static RootSet of(List<Path> given) throws ServerException {
        if (given.isEmpty()) {
            throw new ServerException("no roots to serve; give at least one --root DIR");
        }
        List<Path> roots = new ArrayList<>();
        for (Path p : given) {
            Path root = p.toAbsolutePath().normalize();
            if (!Files.exists(root)) {
                String why = Files.exists(root, LinkOption.NOFOLLOW_LINKS) ? " (it is a dangling symlink)" : "";
                throw new ServerException("root " + root + " does not exist" + why + "; check the --root path");
            }
            if (!Files.isDirectory(root)) {
                throw new ServerException("root " + root + " is a file, not a directory; give its parent directory");
            }
            if (!Files.isReadable(root) || !Files.isExecutable(root)) {
                throw new ServerException("root " + root + " cannot be read; fix its permissions or leave it out");
            }
            for (Path other : roots) {
                if (other.equals(root)) {
                    throw new ServerException("root " + root + " is given twice; give it once");
                }
                if (root.startsWith(other)) {
                    throw new ServerException("root " + root + " lies inside root " + other + "; give only " + other);
                }
                if (other.startsWith(root)) {
                    throw new ServerException("root " + other + " lies inside root " + root + "; give only " + root);
                }
            }
            roots.add(root);
        }
        return new RootSet(roots);
    }

    List<Path> paths() {
        return roots;
    }

    /** Checks again at publish time: a root can vanish while the server runs. */
    static void checkStillThere(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new ServerException("root " + root + " is gone or no longer a directory; restore it or restart "
                    + "the server without it");
        }
    }
}
