package dev.stackshare.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;

/**
 * A file opened for reading only once its descriptor is known to be a regular file. The JDK's
 * open(2) would block on a fifo put in the file's place until a writer came (for ever, if none
 * does), and cannot ask for O_NONBLOCK, so the file is opened through jnr-posix with O_NONBLOCK
 * (no effect on a regular file's reads), O_NOFOLLOW (a symlink there is refused, not followed)
 * and O_NOCTTY (a terminal there does not become ours). fstat(2) of the descriptor then says
 * what was opened, with no window for another swap, and reads go to that descriptor only.
 */
final class RegularFile implements AutoCloseable {
    private static final int FLAGS = OpenFlags.O_RDONLY.intValue() | OpenFlags.O_NONBLOCK.intValue()
            | OpenFlags.O_NOFOLLOW.intValue() | OpenFlags.O_NOCTTY.intValue() | OpenFlags.O_CLOEXEC.intValue();

    private final POSIX posix;
    private final Path path;
    private final int fd;
    private final FileStat stat;

    private RegularFile(POSIX posix, Path path, int fd, FileStat stat) {
        this.posix = posix;
        this.path = path;
        this.fd = fd;
        this.stat = stat;
    }

    /**
     * Opens {@code file} for reading, never blocking.
     *
     * @throws NotRegularFileException if it is not a regular file (a symlink, a fifo, anything else)
     * @throws java.nio.file.NoSuchFileException if it is gone
     */
    static RegularFile open(Path file) throws IOException {
        POSIX posix = NativePosix.load();
        if (posix == null) {
            throw new ServerException("cannot read " + file + " safely: jnr-posix has no native POSIX on this "
                    + "platform, and without it a fifo in a file's place would block the read for ever");
        }
        int fd = posix.open(file.toString(), FLAGS, 0);
        if (fd < 0) {
            int errno = posix.errno();
            if (errno == Errno.ELOOP.intValue()) {
                throw new NotRegularFileException(file, "a symlink");
            }
            throw NativePosix.failure(file, errno);
        }
        try {
            jnr.posix.FileStat st = NativePosix.statBuffer();
            if (posix.fstat(fd, st) != 0) {
                throw NativePosix.failure(file, posix.errno());
            }
            FileStat stat = NativePosix.of(st);
            if (!stat.isRegularFile()) {
                throw new NotRegularFileException(file, stat.kind());
            }
            return new RegularFile(posix, file, fd, stat);
        } catch (IOException | RuntimeException e) {
            posix.close(fd);
            throw e;
        }
    }

    /** The descriptor's own stat, taken at open. */
    FileStat stat() {
        return stat;
    }

    /**
     * Fills {@code dst} from its position to its limit with the bytes at {@code position};
     * returns false if the file ends first.
     */
    boolean readFully(ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            long n = posix.pread(fd, dst, dst.remaining(), at);
            if (n < 0 && posix.errno() == Errno.EINTR.intValue()) {
                continue;
            }
            if (n < 0) {
                throw new FileSystemException(path.toString(), null, Errno.valueOf(posix.errno()).description());
            }
            if (n == 0) {
                return false;
            }
            dst.position(dst.position() + (int) n);
            at += n;
        }
        return true;
    }

    @Override
    public void close() {
        posix.close(fd);
    }
}
