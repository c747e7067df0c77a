package dev.stackshare.protocol;

import java.nio.charset.StandardCharsets;

/** Rules for one path component, shared by every format that carries names. */
final class Names {
    private Names() {
    }

    static void check(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")
                || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a valid file name: " + name);
        }
        if (utf8Length(name) > Entry.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("file name longer than 255 bytes: " + name);
        }
    }

    static void checkMode(int mode) {
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode has bits beyond 07777: " + Integer.toOctalString(mode));
        }
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
