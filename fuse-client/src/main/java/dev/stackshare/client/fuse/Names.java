package dev.stackshare.client.fuse;

/** The checks every name crossing the protocol shares. */
final class Names {
    /** FUSE_NAME_MAX in the kernel: longer names in directory entries are refused with EIO. */
    static final int MAX = 1024;

    private Names() {
    }

    /** A name as the kernel sends it: non-empty and without NUL (the NUL ends it on the wire). */
    static void requireName(byte[] name) {
        if (name == null || name.length == 0) {
            throw new IllegalArgumentException("empty name");
        }
        for (byte b : name) {
            if (b == 0) {
                throw new IllegalArgumentException("name contains a NUL byte: " + Names.printable(name));
            }
        }
    }

    /**
     * A name this side gives the kernel as one path component (directory entries, invalidations):
     * the kernel's checks for those are also no '/' and at most {@link #MAX} bytes.
     */
    static void requireComponent(byte[] name) {
        requireName(name);
        if (name.length > MAX) {
            throw new IllegalArgumentException("name of " + name.length + " bytes is longer than the kernel's " + MAX);
        }
        for (byte b : name) {
            if (b == '/') {
                throw new IllegalArgumentException("name contains '/': " + printable(name));
            }
        }
    }

    static String printable(byte[] name) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(name.length, 80); i++) {
            int c = name[i] & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return name.length > 80 ? s + "..." : s.toString();
    }
}
