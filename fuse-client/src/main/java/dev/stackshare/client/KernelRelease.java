package dev.stackshare.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The running kernel's version, for what its FUSE does. */
record KernelRelease(int major, int minor) {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+).*");
    /** What no kernel release says: nothing new is assumed of it. */
    static final KernelRelease UNKNOWN = new KernelRelease(0, 0);

    /** This machine's, from {@code /proc/sys/kernel/osrelease}; {@link #UNKNOWN} when unreadable. */
    static KernelRelease running() {
        try {
            return parse(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** "6.1.0-27-amd64", "4.18.0-553.el8_10.x86_64"; {@link #UNKNOWN} for anything else. */
    static KernelRelease parse(String release) {
        Matcher m = VERSION.matcher(release);
        return m.matches() ? new KernelRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))) : UNKNOWN;
    }

    boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || major == wantMajor && minor >= wantMinor;
    }

    /**
     * Whether FUSE opens files without asking once a file system answered an open with ENOSYS
     * (kernel commit 7678ac50615d, in the 4.x series; 5.1 is asked for, to stay well clear of
     * kernels that would fail the open instead, RHEL 8's 4.18 among them).
     */
    boolean opensWithoutAsking() {
        return atLeast(5, 1);
    }
}
