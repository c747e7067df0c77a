package dev.stackshare.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Who this process is, as the kernel sees it ({@code /proc/self/status}): the effective user and
 * group, the supplementary groups, and whether it runs with {@code no_new_privs} (which makes a
 * setuid program such as fusermount run without its privileges). Read from /proc, so no native call.
 */
record ProcessCredentials(long uid, long gid, Set<Long> groups, boolean noNewPrivs) {
    static final Path STATUS = Path.of("/proc/self/status");

    ProcessCredentials {
        groups = Set.copyOf(groups);
    }

    static ProcessCredentials current() throws IOException {
        return parse(Files.readString(STATUS, StandardCharsets.UTF_8));
    }

    static ProcessCredentials parse(String status) {
        long uid = -1;
        long gid = -1;
        Set<Long> groups = new HashSet<>();
        boolean noNewPrivs = false;
        for (String line : status.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String[] values = line.substring(colon + 1).trim().split("\\s+");
            switch (line.substring(0, colon)) {
                // Real, effective, saved, filesystem: ownership and access follow the effective ids.
                case "Uid" -> uid = Long.parseLong(values[1]);
                case "Gid" -> gid = Long.parseLong(values[1]);
                case "Groups" -> {
                    for (String g : values) {
                        if (!g.isEmpty()) {
                            groups.add(Long.parseLong(g));
                        }
                    }
                }
                case "NoNewPrivs" -> noNewPrivs = "1".equals(values[0]);
                default -> {
                }
            }
        }
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("no Uid or Gid line in the process status");
        }
        groups.add(gid);
        return new ProcessCredentials(uid, gid, groups, noNewPrivs);
    }

    boolean isRoot() {
        return uid == 0;
    }

    boolean inGroup(long group) {
        return groups.contains(group);
    }
}
