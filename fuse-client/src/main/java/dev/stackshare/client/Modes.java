package dev.stackshare.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** A file's numeric mode and owner without following a last symbolic link, for checks and for messages. */
final class Modes {
    static final int SETUID = 04000;
    static final int GROUP_ALL = 0070;
    static final int OTHERS_ALL = 0007;

    private Modes() {
    }

    static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    static long uid(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    static long gid(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    /** The permission bits as chmod takes them, e.g. {@code 0755} or {@code 4755}. */
    static String octal(Path path) throws IOException {
        return octal(mode(path));
    }

    static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }

    /** The owner's name (its number when the name is unknown here). */
    static String owner(Path path) throws IOException {
        return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
    }

    static String group(Path path) throws IOException {
        return Files.readAttributes(path, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .group().getName();
    }
}
