package dev.stackshare.cli;

import dev.stackshare.protocol.Api;
import dev.stackshare.server.ProgressText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Shows a publish's progress on stderr: a bar redrawn in place when stderr is a terminal and the
 * publish has taken more than {@link #QUIET_MILLIS} ms, and in every case one summary line at
 * the end (what was read, what the index vouched for, what was frozen, how long it took).
 */
final class PublishProgressBar implements Consumer<Api.PublishProgress> {
    /** A publish quicker than this shows no bar: it would only flicker. */
    static final long QUIET_MILLIS = 500;
    private static final int BAR_CELLS = 20;

    private final PrintWriter err;
    private final boolean terminal;
    private final int width;
    private Api.PublishProgress last;
    private boolean drawn;

    PublishProgressBar(PrintWriter err, boolean terminal, int width) {
        this.err = err;
        this.terminal = terminal;
        this.width = Math.max(40, width);
    }

    /** For this process's stderr: a bar only if it is a terminal (and TERM is not dumb). */
    static PublishProgressBar forStderr(PrintWriter err, Map<String, String> env) {
        boolean terminal = stderrIsTerminal() && !"dumb".equals(env.get("TERM"));
        int width = 80;
        try {
            width = Integer.parseInt(env.getOrDefault("COLUMNS", "80").strip());
        } catch (NumberFormatException e) {
            // keep 80
        }
        return new PublishProgressBar(err, terminal, width);
    }

    /** Java cannot isatty(2); on Linux the descriptor's link names the terminal device. */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public void accept(Api.PublishProgress p) {
        last = p;
        if (!terminal || p.elapsedMillis() < QUIET_MILLIS) {
            return;
        }
        String line = bar(p) + " " + ProgressText.line(p);
        if (line.length() > width - 1) {
            line = line.substring(0, width - 1);
        }
        err.print("\r" + line + "\033[K");
        err.flush();
        drawn = true;
    }

    /** Clears the bar and prints the summary line; {@code ok} false after a failed publish. */
    void finish(boolean ok, long millis) {
        if (drawn) {
            err.print("\r\033[K");
        }
        if (ok && last != null) {
            err.println(summary(last, millis));
            for (String entry : last.leftOut()) {
                err.println("publish: left out " + entry);
            }
        }
        err.flush();
    }

    static String bar(Api.PublishProgress p) {
        int filled = p.walked() ? ProgressText.percent(p) * BAR_CELLS / 100 : 0;
        return "[" + "#".repeat(filled) + (p.walked() ? "." : "?").repeat(BAR_CELLS - filled) + "]";
    }

    static String summary(Api.PublishProgress p, long millis) {
        long unchanged = p.filesSeen() - p.filesToHash();
        StringBuilder s = new StringBuilder("publish: ").append(ProgressText.count(p.filesSeen())).append(" files (")
                .append(ProgressText.bytes(p.bytesSeen())).append("); read ").append(ProgressText.count(p.filesHashed()))
                .append(" (").append(ProgressText.bytes(p.bytesHashed())).append(')');
        if (unchanged > 0) {
            s.append(", ").append(ProgressText.count(unchanged)).append(" unchanged per the index");
        }
        s.append("; froze ").append(ProgressText.count(p.objectsFrozen())).append(" new objects (")
                .append(ProgressText.bytes(p.bytesFrozen())).append("); ")
                .append(String.format(java.util.Locale.ROOT, "%.2f s", millis / 1000.0));
        if (!p.leftOut().isEmpty()) {
            s.append("; ").append(p.leftOut().size()).append(p.leftOut().size() == Api.PublishProgress.MAX_LEFT_OUT
                    ? "+" : "").append(" entries left out (below)");
        }
        return s.toString();
    }
}
