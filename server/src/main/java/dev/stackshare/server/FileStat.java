package dev.stackshare.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The parts of {@code stat(2)} the scanner records or uses to notice change. */
record FileStat(int rawMode, long size, long mtimeNanos, long ctimeNanos, long ino, long dev) {
    private static final String ATTRIBUTES = "unix:mode,size,lastModifiedTime,ctime,ino,dev";
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    /** {@code lstat}: the entry itself, never what a symlink points to. */
    static FileStat lstat(Path p) throws IOException {
        return of(Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS));
    }

    /** {@code stat}: for roots and the directories above them, which the user names through any symlinks. */
    static FileStat stat(Path p) throws IOException {
        return of(Files.readAttributes(p, ATTRIBUTES));
    }

    private static FileStat of(Map<String, Object> a) {
        return new FileStat((Integer) a.get("mode"), (Long) a.get("size"),
                nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                (Long) a.get("ino"), (Long) a.get("dev"));
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    /** Permission bits only, as the directory format wants. */
    int mode() {
        return rawMode & 07777;
    }

    boolean isRegularFile() {
        return (rawMode & S_IFMT) == S_IFREG;
    }

    boolean isDirectory() {
        return (rawMode & S_IFMT) == S_IFDIR;
    }

    boolean isSymlink() {
        return (rawMode & S_IFMT) == S_IFLNK;
    }

    /** Whether nothing that a write, truncate or replace changes differs between the two. */
    boolean sameFileUnchanged(FileStat other) {
        return rawMode == other.rawMode && size == other.size && mtimeNanos == other.mtimeNanos
                && ctimeNanos == other.ctimeNanos && ino == other.ino && dev == other.dev;
    }
}
