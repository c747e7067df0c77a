package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import java.util.Locale;

/**
 * Words and numbers for a publish in flight, shared by the server's log and the CLI's progress
 * bar: what was read of what must be read, the read rate, and the time left once the walk has
 * found everything that must be read.
 */
public final class ProgressText {
    private ProgressText() {
    }

    /** One line, for a log or a terminal that is not one: "read 120/3,000 files, 1.2 MiB/40.0 MiB (3%), ..." */
    public static String line(Api.PublishProgress p) {
        StringBuilder s = new StringBuilder();
        if (!p.walked()) {
            s.append("scanning, ").append(count(p.filesSeen())).append(" files (").append(bytes(p.bytesSeen()))
                    .append(") so far; read ").append(count(p.filesHashed())).append(" files (")
                    .append(bytes(p.bytesHashed())).append(')');
        } else {
            s.append("read ").append(count(p.filesHashed())).append('/').append(count(p.filesToHash()))
                    .append(" files, ").append(bytes(p.bytesHashed())).append('/').append(bytes(p.bytesToHash()))
                    .append(" (").append(percent(p)).append("%)");
        }
        long rate = rate(p);
        if (rate > 0) {
            s.append(", ").append(bytes(rate)).append("/s");
        }
        long eta = etaSeconds(p);
        if (eta >= 0) {
            s.append(", ETA ").append(duration(eta));
        }
        long unchanged = p.filesSeen() - p.filesToHash();
        if (unchanged > 0) {
            s.append("; ").append(count(unchanged)).append(" files unchanged");
        }
        if (p.objectsFrozen() > 0) {
            s.append("; froze ").append(count(p.objectsFrozen())).append(" objects (").append(bytes(p.bytesFrozen()))
                    .append(')');
        }
        return s.toString();
    }

    /** Share of the bytes to read that are read, 0..100; 0 while the walk is still finding them. */
    public static int percent(Api.PublishProgress p) {
        if (!p.walked()) {
            return 0;
        }
        if (p.bytesToHash() <= 0) {
            return p.filesToHash() <= 0 ? 100 : (int) Math.min(100, 100 * p.filesHashed() / p.filesToHash());
        }
        // A file read twice (it changed meanwhile) counts twice: never claim more than all.
        return (int) Math.min(100, 100 * p.bytesHashed() / p.bytesToHash());
    }

    /** Bytes read per second since the publish started. */
    public static long rate(Api.PublishProgress p) {
        return p.elapsedMillis() <= 0 ? 0 : p.bytesHashed() * 1000 / p.elapsedMillis();
    }

    /** Seconds left at the rate so far; -1 while unknown (the walk goes on, or nothing read yet). */
    public static long etaSeconds(Api.PublishProgress p) {
        long rate = rate(p);
        if (!p.walked() || rate <= 0) {
            return -1;
        }
        return Math.max(0, p.bytesToHash() - p.bytesHashed()) / rate;
    }

    public static String duration(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Bytes in binary units with one decimal. */
    public static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
