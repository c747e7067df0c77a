package dev.stackshare.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    private static final int O_WRONLY = 0x1;
    private static final int O_CREAT = 0x40;
    private static final int O_TRUNC = 0x200;
    private static final int O_CLOEXEC = 0x80000;
    private static final int STDOUT = 1;
    private static final int STDERR = 2;

    private final POSIX posix = POSIXFactory.getNativePOSIX();
    private final int readyFd;
    private final int log;
    /** The terminal's standard error, kept for the error a failed mount reports. */
    private final int terminalErr;

    private DetachedMount(int readyFd, Path logFile) throws IOException {
        this.readyFd = readyFd;
        this.log = posix.open(logFile.toString(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (log < 0) {
            throw new IOException("cannot open the mount's log " + logFile + ": errno " + posix.errno());
        }
        this.terminalErr = posix.dup(STDERR);
        posix.dup2(log, STDERR);
    }

    /** From here on this process's log lines go to {@code logFile}. */
    static DetachedMount begin(int readyFd, Path logFile) throws IOException {
        return new DetachedMount(readyFd, logFile);
    }

    /** The mount failed: the error Main is about to print reaches the terminal, not the log. */
    void failed() {
        System.err.flush();
        posix.dup2(terminalErr, STDERR);
    }

    /** Prints {@code line} for the user, sends standard output to the log too, and lets the launcher return. */
    void ready(String line) {
        System.out.println(line);
        System.out.flush();
        posix.dup2(log, STDOUT);
        byte[] ready = "ready\n".getBytes(StandardCharsets.US_ASCII);
        posix.write(readyFd, ready, ready.length);
        posix.close(readyFd);
        posix.close(terminalErr);
    }
}
