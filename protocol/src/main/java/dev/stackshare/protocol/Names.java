package dev.stackshare.protocol;

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

    /** The length of the name in UTF-8, counted without encoding it (every entry of a walk is checked). */
    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1; // unpaired: the encoder writes '?'
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
