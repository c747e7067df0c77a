package dev.stackshare.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * How a background mount process tells the command that started it whether the mount is
 * ready: one line, {@code ready ID} or {@code error: MESSAGE}, written atomically.
 */
final class ReadyFile {
    private static final String READY = "ready ";
    private static final String ERROR = "error: ";

    private ReadyFile() {
    }

    record Status(boolean ready, String detail) {
    }

    static void reportReady(Path file, String snapshotId) throws IOException {
        write(file, READY + snapshotId);
    }

    static void reportFailure(Path file, Exception e) {
        try {
            write(file, ERROR + (e instanceof IOException || e instanceof UserError ? e.getMessage() : e.toString()));
        } catch (IOException ignored) {
            // The parent then reports that the process died; its log holds the cause.
        }
    }

    /** The status once written, else null. */
    static Status read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String line = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (line.startsWith(READY)) {
            return new Status(true, line.substring(READY.length()));
        }
        return new Status(false, line.startsWith(ERROR) ? line.substring(ERROR.length()) : line);
    }

    private static void write(Path file, String line) throws IOException {
        if (file == null) {
            return;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, line + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
