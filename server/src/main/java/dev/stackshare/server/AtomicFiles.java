package dev.stackshare.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Whole-file writes that readers see either complete or not at all. */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes to a temporary file beside {@code target} (created mode 0600) and renames it into
     * place, so a crash or a concurrent reader never sees half a file.
     */
    static void write(Path target, byte[] bytes) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), ".tmp-", "");
        try {
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
