package dev.stackshare.client.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The kernel's end of one FUSE mount, {@code /dev/fuse} as opened for it: each read(2) returns
 * exactly one request, each reply must be one write(2). Many threads may read and write at once.
 */
public final class FuseDevice implements AutoCloseable {
    private final int fd;
    private volatile boolean closed;

    FuseDevice(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        this.fd = fd;
    }

    /** The descriptor, as {@code mount(2)} is told it in {@code fd=N}. */
    int fd() {
        return fd;
    }

    /**
     * Reads the next request into {@code buffer} (direct, at least the negotiated max write plus
     * 4 KiB): on return it holds the request from position 0 to its limit.
     *
     * @return false once the filesystem is unmounted (the kernel answers ENODEV)
     */
    public boolean read(ByteBuffer buffer) throws IOException {
        buffer.clear();
        while (true) {
            long n = LibC.INSTANCE.read(fd, buffer, buffer.capacity());
            if (n >= 0) {
                buffer.limit((int) n);
                return true;
            }
            int errno = LibC.errno();
            // EINTR: a signal; ENOENT: the request was interrupted before it could be read; EAGAIN: woken for nothing.
            if (errno == Errno.EINTR || errno == Errno.ENOENT || errno == Errno.EAGAIN) {
                continue;
            }
            if (errno == Errno.ENODEV || closed) {
                return false;
            }
            throw new IOException("reading /dev/fuse failed: errno " + errno);
        }
    }

    /** Writes one whole reply, {@code buffer}'s position to its limit. */
    public void write(ByteBuffer buffer) throws IOException {
        int length = buffer.remaining();
        long n = LibC.INSTANCE.write(fd, buffer, length);
        if (n == length) {
            return;
        }
        int errno = n < 0 ? LibC.errno() : 0;
        // ENOENT: the request was interrupted and the kernel no longer waits for this reply.
        if (errno == Errno.ENOENT || errno == Errno.ENODEV) {
            return;
        }
        throw new IOException("writing a reply of " + length + " bytes to /dev/fuse failed: "
                + (n < 0 ? "errno " + errno : "wrote " + n));
    }

    /**
     * A second descriptor on the same connection ({@code FUSE_DEV_IOC_CLONE}), so readers on
     * different descriptors do not queue on one file's wait queue.
     */
    public FuseDevice cloned() throws IOException {
        int copy = LibC.INSTANCE.open("/dev/fuse", LibC.DEVICE_FLAGS);
        if (copy < 0) {
            throw new IOException("cannot open /dev/fuse: errno " + LibC.errno());
        }
        if (LibC.INSTANCE.ioctl(copy, LibC.FUSE_DEV_IOC_CLONE, new int[] {fd}) != 0) {
            int errno = LibC.errno();
            LibC.INSTANCE.close(copy);
            throw new IOException("cannot clone the FUSE connection: errno " + errno);
        }
        return new FuseDevice(copy);
    }

    /** Closes the descriptor: a mount still in place then answers ENOTCONN until it is detached. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
