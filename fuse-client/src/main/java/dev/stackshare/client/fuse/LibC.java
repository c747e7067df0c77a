package dev.stackshare.client.fuse;

import java.nio.ByteBuffer;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The C library calls a FUSE session needs that jnr-posix does not have ({@code mount},
 * {@code umount2}, {@code ioctl}), and {@code read}/{@code write} on a direct buffer without a
 * copy: jnr-ffi passes a direct {@link ByteBuffer} as its address plus its position.
 */
final class LibC {
    /** How the device is opened: read and write, and never into a program this process starts. */
    static final int DEVICE_FLAGS = OpenFlags.O_RDWR.intValue() | OpenFlags.O_CLOEXEC.intValue();
    static final long MS_RDONLY = 1;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final int MNT_DETACH = 2;
    /** {@code _IOR(229, 0, uint32_t)}: a new descriptor that reads the same FUSE connection. */
    static final long FUSE_DEV_IOC_CLONE = 0x8004e500L;

    static final Calls INSTANCE = LibraryLoader.create(Calls.class).failImmediately().load("c");

    private LibC() {
    }

    /** The errno of this thread's last failed call. */
    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }

    /** Public only because jnr-ffi implements it in a class loader of its own. */
    public interface Calls {

        @SaveError
        int open(String path, int flags);

        @SaveError
        int close(int fd);

        @SaveError
        @ssize_t
        long read(int fd, @Out ByteBuffer buffer, @size_t long count);

        @SaveError
        @ssize_t
        long write(int fd, @In ByteBuffer buffer, @size_t long count);

        @SaveError
        int mount(String source, String target, String fsType, long flags, String data);

        @SaveError
        int umount2(String target, int flags);

        @SaveError
        int ioctl(int fd, long request, @In int[] argument);
    }
}
