package dev.stackshare.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where this build of stackshare lives: the repository that holds bin/stackshare and the jar. */
final class Launcher {
    private Launcher() {
    }

    static Path repository() {
        try {
            Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar.getParent(); dir != null; dir = dir.getParent()) {
                if (Files.isExecutable(dir.resolve("bin/stackshare"))) {
                    return dir;
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        throw new UserError("cannot find the stackshare repository (bin/stackshare) above this jar");
    }
}
