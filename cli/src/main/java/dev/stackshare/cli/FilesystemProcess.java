package dev.stackshare.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The mount's filesystem process as {@link BackgroundMount} watches it: either our own child, or
 * a process a shell started in the background, which we know only by the pid the shell printed.
 */
abstract class FilesystemProcess {
    abstract long pid();

    /** Waits at most {@code time} for it to end; true if it has. */
    abstract boolean awaitExit(long time, TimeUnit unit) throws InterruptedException;

    /** How it ended, for a message: "exited with code 1". */
    abstract String exitDescription();

    abstract void destroy();

    static FilesystemProcess direct(Process child) {
        return new Direct(child);
    }

    /** The process the shell {@code launcher} started, whose pid it printed on its output before exiting. */
    static FilesystemProcess forked(Process launcher, Path log) throws IOException, InterruptedException {
        BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine();
        launcher.waitFor(5, TimeUnit.SECONDS); // the shell exits as soon as it has started it
        try {
            return new Forked(Long.parseLong(line == null ? "" : line.strip()));
        } catch (NumberFormatException e) {
            String rest = line == null ? "" : line + " " + String.join(" ", out.lines().toList());
            throw new UserError("cannot start the mount process: " + (rest.isBlank() ? "no process id from the shell" : rest.strip())
                    + "; see " + log);
        }
    }

    private static final class Direct extends FilesystemProcess {
        private final Process process;

        Direct(Process process) {
            this.process = process;
        }

        @Override
        long pid() {
            return process.pid();
        }

        @Override
        boolean awaitExit(long time, TimeUnit unit) throws InterruptedException {
            return process.waitFor(time, unit);
        }

        @Override
        String exitDescription() {
            return "exited with code " + process.exitValue();
        }

        @Override
        void destroy() {
            process.destroy();
        }
    }

    private static final class Forked extends FilesystemProcess {
        private static final long POLL_MILLIS = 10;
        private final long pid;

        Forked(long pid) {
            this.pid = pid;
        }

        @Override
        long pid() {
            return pid;
        }

        @Override
        boolean awaitExit(long time, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(time);
            while (isRunning(pid)) {
                if (System.nanoTime() >= deadline) {
                    return false;
                }
                Thread.sleep(POLL_MILLIS);
            }
            return true;
        }

        @Override
        String exitDescription() {
            return "(" + pid + ") exited";
        }

        @Override
        void destroy() {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
    }

    /**
     * Whether {@code pid} runs: present in /proc and not a zombie (a process we did not start is
     * reaped by init, or by nobody in some containers, so a zombie counts as ended).
     */
    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }
}
