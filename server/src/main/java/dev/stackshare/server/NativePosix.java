package dev.stackshare.server;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import jnr.constants.platform.Errno;
import jnr.posix.NanosecondFileStat;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * jnr-posix's native POSIX, loaded at most once. Its set-up takes about 0.2 s of a core, so it
 * is loaded when first needed: by the first file read ({@link RegularFile}), or after the first
 * publish for the faster {@code lstat} ({@link FileStat.NativeLstat}).
 */
final class NativePosix {
    /** Null until loaded, and when no native POSIX is at hand. */
    private static volatile POSIX posix;
    private static boolean tried;
    private static final ThreadLocal<jnr.posix.FileStat> BUFFER = ThreadLocal.withInitial(() -> posix.allocateStat());

    private NativePosix() {
    }

    /** The native POSIX if it is loaded, else null; never loads it. */
    static POSIX loaded() {
        return posix;
    }

    /** Loads the native POSIX, if this platform has one (with nanosecond times); null if not. */
    static synchronized POSIX load() {
        if (posix == null && !tried) {
            tried = true;
            try {
                POSIX loading = POSIXFactory.getNativePOSIX();
                if (loading.isNative() && loading.allocateStat() instanceof NanosecondFileStat) {
                    posix = loading;
                }
            } catch (RuntimeException | LinkageError e) {
                // no native POSIX here
            }
        }
        return posix;
    }

    /** A symlink's target as the bytes it holds; null when there is no native POSIX. */
    static byte[] readlink(Path link) throws IOException {
        POSIX loaded = load();
        if (loaded == null) {
            return null;
        }
        byte[] buf = new byte[PathBytes.PATH_MAX];
        int n = loaded.readlink(link.toString(), buf, buf.length);
        if (n < 0) {
            throw failure(link, loaded.errno());
        }
        return Arrays.copyOf(buf, n);
    }

    /** This thread's stat buffer, reused: a stat per file was most of a re-publish's garbage. */
    static jnr.posix.FileStat statBuffer() {
        return BUFFER.get();
    }

    /** The stat as the scanner records it. */
    static FileStat of(jnr.posix.FileStat st) {
        NanosecondFileStat nanos = (NanosecondFileStat) st;
        return new FileStat(st.mode(), st.st_size(), st.mtime() * 1_000_000_000L + nanos.mTimeNanoSecs(),
                st.ctime() * 1_000_000_000L + nanos.cTimeNanoSecs(), st.ino(), st.dev());
    }

    /**
     * The exception the JDK throws for the errno, except that a path through something that is
     * no longer a directory (ENOTDIR) is missing too: the walk then skips it as deleted.
     */
    static IOException failure(Path p, int errno) {
        Errno e = Errno.valueOf(errno);
        if (e == Errno.ENOENT || e == Errno.ENOTDIR) {
            return new NoSuchFileException(p.toString());
        }
        if (e == Errno.EACCES || e == Errno.EPERM) {
            return new AccessDeniedException(p.toString());
        }
        return new FileSystemException(p.toString(), null, e.description());
    }
}
