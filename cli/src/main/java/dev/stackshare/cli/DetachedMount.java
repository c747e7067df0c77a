package dev.stackshare.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * {@code mount} as the launcher starts it: this JVM is the filesystem's own process, already in
 * a session of its own, so no second JVM is started. Its log lines go to the mount's log from
 * the start; the user sees only the one line that says the mount is ready (on standard output)
 * or the one error (on the terminal's standard error); then the launcher, waiting on descriptor
 * {@code readyFd}, is told and returns, and this process goes on serving the mount.
 */
final class DetachedMount {
    private static final int LOG_FLAGS = OpenFlags.O_WRONLY.intValue() | OpenFlags.O_CREAT.intValue()
            | OpenFlags.O_TRUNC.intValue() | OpenFlags.O_CLOEXEC.intValue();
    private static final int STDOUT = 1;
    private static final int STDERR = 2;

    private final POSIX posix = POSIXFactory.getNativePOSIX();
    private final int readyFd;
    /** The log's descriptor, or -1 while this process still writes to the terminal. */
    private int log = -1;
    /** The terminal's standard error, kept for the error a failed mount reports; -1 until the log is taken. */
    private int terminalErr = -1;

    DetachedMount(int readyFd) {
        this.readyFd = readyFd;
    }

    /**
     * From here on this process's log lines go to {@code logFile}, which starts empty: taken only
     * once this process is to be the mount's, so that a {@code mount} that keeps a live mount
     * never touches that mount's log.
     */
    void logTo(Path logFile) throws IOException {
        log = posix.open(logFile.toString(), LOG_FLAGS, 0600);
        if (log < 0) {
            throw new IOException("cannot open the mount's log " + logFile + ": errno " + posix.errno());
        }
        terminalErr = posix.dup(STDERR);
        posix.dup2(log, STDERR);
    }

    /** The mount failed: the error Main is about to print reaches the terminal, not the log. */
    void failed() {
        if (terminalErr >= 0) {
            System.err.flush();
            posix.dup2(terminalErr, STDERR);
        }
    }

    /** Prints {@code line} for the user, sends standard output to the log too, and lets the launcher return. */
    void ready(String line) {
        System.out.println(line);
        System.out.flush();
        if (log >= 0) {
            posix.dup2(log, STDOUT);
            posix.close(terminalErr);
        }
        byte[] ready = "ready\n".getBytes(StandardCharsets.US_ASCII);
        posix.write(readyFd, ready, ready.length);
        posix.close(readyFd);
    }
}
