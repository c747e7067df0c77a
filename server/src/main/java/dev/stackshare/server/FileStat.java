package dev.stackshare.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jnr.posix.POSIX;

/** The parts of {@code stat(2)} the scanner records or uses to notice change. */
record FileStat(int rawMode, long size, long mtimeNanos, long ctimeNanos, long ino, long dev) {
    private static final String ATTRIBUTES = "unix:mode,size,lastModifiedTime,ctime,ino,dev";
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;

    /** {@code lstat}: the entry itself, never what a symlink points to. */
    static FileStat lstat(Path p) throws IOException {
        FileStat fast = NativeLstat.lstat(p);
        return fast != null ? fast : of(Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS));
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

    /** What kind of entry this is, in the words of a warning ("a fifo"). */
    String kind() {
        switch (rawMode & S_IFMT) {
            case S_IFREG: return "a regular file";
            case S_IFDIR: return "a directory";
            case S_IFLNK: return "a symlink";
            case S_IFIFO: return "a fifo";
            case S_IFSOCK: return "a socket";
            default: return "a device";
        }
    }

    /** Whether nothing that a write, truncate or replace changes differs between the two. */
    boolean sameFileUnchanged(FileStat other) {
        return rawMode == other.rawMode && size == other.size && mtimeNanos == other.mtimeNanos
                && ctimeNanos == other.ctimeNanos && ino == other.ino && dev == other.dev;
    }

    /**
     * {@code lstat(2)} through jnr-posix, into one reused buffer per thread. Why: the JDK's only
     * way to the inode, device and change time is a {@code unix:} attribute map, which allocated
     * about 2 KB per file; on a 100,000-file re-publish that garbage was most of the server's
     * allocation, and the young collections it caused took a third of the publish
     * (docs/performance.md). Until {@link #load} has run (the server runs it after its first
     * publish), or a file was read ({@link RegularFile} loads it too), {@link FileStat#lstat}
     * reads the JDK's attribute map.
     */
    static final class NativeLstat {
        private NativeLstat() {
        }

        /** Loads the native POSIX, if this platform has one; returns whether it is in use. */
        static boolean load() {
            return NativePosix.load() != null;
        }

        /** Null when the native POSIX is not loaded. */
        static FileStat lstat(Path p) throws IOException {
            POSIX loaded = NativePosix.loaded();
            if (loaded == null) {
                return null;
            }
            jnr.posix.FileStat st = NativePosix.statBuffer();
            if (loaded.lstat(p.toString(), st) != 0) {
                throw NativePosix.failure(p, loaded.errno());
            }
            return NativePosix.of(st);
        }
    }
}
