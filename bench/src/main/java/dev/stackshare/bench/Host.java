package dev.stackshare.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** What the bench asks of the machine itself: dropping the page cache, reading a process's memory. */
final class Host {
    private static boolean warned;

    private Host() {
    }

    static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    /** Makes the next read of every file come from disk, as on a fresh node. Needs root. */
    static void dropPageCache() throws IOException, InterruptedException {
        if (!isRoot()) {
            if (!warned) {
                System.err.println("bench: not root, so the page cache cannot be dropped: cold runs are only cache-cold");
                warned = true;
            }
            return;
        }
        Proc.sh("sync && echo 3 > /proc/sys/vm/drop_caches", Map.of(), 60).requireOk("dropping the page cache");
    }

    /** Clock ticks per second of /proc's CPU times: USER_HZ, 100 on every Linux architecture we run on. */
    private static final double TICKS_PER_SECOND = 100;

    /** CPU time (user + system) a live process has used so far, in seconds, or 0 when it is gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: utime is the 12th, stime the 13th.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU seconds a stackshare mount and its server have used so far; subtract two to get a job's share. */
    record CpuUse(double mount, double server) {
        static CpuUse of(long mountPid, long serverPid) {
            return new CpuUse(cpuSeconds(mountPid), cpuSeconds(serverPid));
        }

        CpuUse since(CpuUse before) {
            return new CpuUse(mount - before.mount, server - before.server);
        }
    }

    /** Peak resident set of a live process in KiB (VmHWM), or 0 when it is gone. */
    static long peakRssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
