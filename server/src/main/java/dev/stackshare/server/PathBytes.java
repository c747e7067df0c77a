package dev.stackshare.server;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What the walk checks of the bytes of a path: whether a name or a symlink's target is exactly
 * its bytes as UTF-8 text (no byte of either may change on the way), and how long a path is
 * (the system takes none of PATH_MAX bytes or more).
 */
final class PathBytes {
    /** Linux's bound on a path given to a system call, its closing NUL included. */
    static final int PATH_MAX = 4096;
    /** The longest path a warning names in full. */
    private static final int SHOWN = 160;

    private PathBytes() {
    }

    /**
     * Names are read as the JDK decodes them with {@code sun.jnu.encoding}; they are recorded
     * as UTF-8, and {@link #exactName} holds them to their bytes only if that encoding is UTF-8 too.
     */
    static void checkEncoding() throws ServerException {
        String encoding = System.getProperty("sun.jnu.encoding", "unknown");
        boolean utf8;
        try {
            utf8 = Charset.forName(encoding).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            utf8 = false;
        }
        if (!utf8) {
            throw new ServerException("this JVM decodes file names as " + encoding + ", not UTF-8, so names would "
                    + "change on the way; start it through bin/stackshare, or with -Dsun.jnu.encoding=UTF-8 and a "
                    + "UTF-8 locale (LC_ALL=C.UTF-8)");
        }
    }

    /**
     * Whether {@code name} (the JDK's UTF-8 decoding of a name's bytes) gives those bytes back.
     * A name that is not UTF-8 decodes with U+FFFD in place of its bad bytes, which encodes to
     * other bytes, so recording it would change the name; a name without U+FFFD was valid UTF-8.
     * One with U+FFFD may hold a real one: on Linux a path keeps the bytes it was read as and
     * paths compare by bytes, so the name encoded again must equal the path.
     */
    static boolean exactName(Path raw, String name) {
        return name.indexOf('\uFFFD') < 0 || Path.of(name).equals(raw);
    }

    /**
     * Whether a symlink's target as text encodes to the bytes it holds, as {@link #exactName}
     * for names. Not with {@link Path#equals}: a target is kept as written ({@code a//b/}), which
     * {@link Path#of} would normalize, and the JDK's elements of such a path are off by the extra
     * slashes; so the rare target with U+FFFD is read again as bytes with readlink(2).
     */
    static boolean exactTarget(Path link, String text) throws IOException {
        if (text.indexOf('\uFFFD') < 0) {
            return true;
        }
        byte[] raw = NativePosix.readlink(link);
        return raw != null && Arrays.equals(raw, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The length of the path in bytes. */
    static int length(Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /** The length of the path of {@code name} in a directory whose path is {@code dirBytes} long, counted without encoding it. */
    static int childLength(int dirBytes, String name) {
        int bytes = dirBytes + 1 + name.length();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x80) {
                // two bytes up to U+07FF, three above; a surrogate pair's two chars are four bytes
                bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
            }
        }
        return bytes;
    }

    /** A path short enough for a warning: its start and its end, and how long it is. */
    static String shortened(Path path) {
        String text = path.toString();
        if (text.length() <= SHOWN) {
            return text;
        }
        return text.substring(0, SHOWN / 2) + "..." + text.substring(text.length() - SHOWN / 2)
                + " (" + length(path) + " bytes)";
    }
}
