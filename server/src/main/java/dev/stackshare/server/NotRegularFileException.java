package dev.stackshare.server;

import java.nio.file.Path;

/**
 * A file the walk found regular whose place now holds something else (a fifo, a symlink, a
 * directory, a device). Nothing of it is read; the scanner leaves it out with a warning, and a
 * stable chunk recorded there answers as changed.
 */
final class NotRegularFileException extends ServerException {
    private static final long serialVersionUID = 1L;

    private final String why;

    NotRegularFileException(Path file, String now) {
        super(file + ": it is no longer a regular file but " + now);
        this.why = "it is no longer a regular file but " + now;
    }

    /** Why it was not read, without the path ("it is no longer a regular file but a fifo"). */
    String why() {
        return why;
    }
}
