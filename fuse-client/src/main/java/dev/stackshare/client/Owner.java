package dev.stackshare.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The uid and gid every file of a mount shows: those of the user who mounted it. */
record Owner(long uid, long gid) {
    /** {@code /proc/self} belongs to the process's effective user and group, without native calls. */
    static Owner ofCurrentProcess() throws IOException {
        Path self = Path.of("/proc/self");
        return new Owner(((Number) Files.getAttribute(self, "unix:uid")).longValue(),
                ((Number) Files.getAttribute(self, "unix:gid")).longValue());
    }
}
