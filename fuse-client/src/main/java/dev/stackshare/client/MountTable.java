package dev.stackshare.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's table of mounts as {@code /proc/self/mounts} shows it: one line per mount,
 * {@code source mountpoint type options 0 0}, with space, tab, newline and backslash in fields
 * written as octal escapes ({@code \040}, {@code \011}, {@code \012}, {@code \134}).
 */
final class MountTable {
    static final Path PROC_MOUNTS = Path.of("/proc/self/mounts");

    record Mount(String source, Path mountpoint, String type, String options) {
    }

    private MountTable() {
    }

    static List<Mount> read() throws IOException {
        return parse(Files.readString(PROC_MOUNTS, StandardCharsets.UTF_8));
    }

    static List<Mount> parse(String text) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length >= 4) {
                mounts.add(new Mount(unescape(fields[0]), Path.of(unescape(fields[1])), unescape(fields[2]),
                        unescape(fields[3])));
            }
        }
        return mounts;
    }

    /** The mount on exactly this path (the topmost one if several are stacked), if any. */
    static Optional<Mount> find(List<Mount> mounts, Path mountpoint) {
        Mount found = null;
        for (Mount m : mounts) {
            if (m.mountpoint().equals(mountpoint)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The mount that holds this absolute path: the topmost one on its longest mountpoint prefix. */
    static Optional<Mount> containing(List<Mount> mounts, Path path) {
        Mount found = null;
        for (Mount m : mounts) {
            if (path.startsWith(m.mountpoint())
                    && (found == null || m.mountpoint().getNameCount() >= found.mountpoint().getNameCount())) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    static Optional<Mount> find(Path mountpoint) throws IOException {
        return find(read(), canonical(mountpoint));
    }

    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The path as the kernel writes it in the table: absolute, normalised, with symbolic links in
     * its parent resolved. The last component itself is not resolved: on a stale mount it cannot be.
     */
    static Path canonical(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null) {
            return absolute;
        }
        try {
            return parent.toRealPath().resolve(absolute.getFileName());
        } catch (IOException e) {
            return absolute;
        }
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
