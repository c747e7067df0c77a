package dev.stackshare.client.fuse;

/**
 * The Linux errno values (x86_64, same on every Linux architecture for these) that replies use.
 * Pass them positive; {@link ReplyEncoder#error} negates them for the wire.
 */
public final class Errno {
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    /** The device is gone: what read(2) on /dev/fuse answers once the filesystem is unmounted. */
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    /** On Linux ENOTSUP and EOPNOTSUPP are the same number. */
    public static final int ENOTSUP = EOPNOTSUPP;

    /**
     * The kernel refuses a reply whose error is -512 (ERESTARTSYS) or below, so valid errnos are
     * 1 to 511.
     */
    static final int LIMIT = 512;

    private Errno() {
    }
}
