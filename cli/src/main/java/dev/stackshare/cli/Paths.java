package dev.stackshare.cli;

import java.nio.file.Path;

/** Where things live by default, following the XDG base directory conventions. */
final class Paths {
    private Paths() {
    }

    static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }

    static Path defaultStateDir() {
        return dev.stackshare.server.StateDir.defaultDir();
    }

    static Path defaultCacheDir() {
        return dev.stackshare.client.Mounter.defaultCacheDir();
    }

    /** The cache dir a {@code --cache-dir} option names, absolute; the default one when it names none. */
    static Path cacheDir(Path option) {
        return option == null ? defaultCacheDir() : absolute(option);
    }
}
