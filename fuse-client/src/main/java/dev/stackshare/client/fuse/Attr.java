package dev.stackshare.client.fuse;

/**
 * A node's attributes as {@code struct fuse_attr} carries them (88 bytes; its {@code flags}, for
 * submounts and DAX, is always written 0).
 *
 * <pre>
 *   0 ino        8 size      16 blocks    24 atime     32 mtime     40 ctime     (u64, seconds)
 *  48 atimensec 52 mtimensec 56 ctimensec 60 mode      64 nlink     68 uid
 *  72 gid       76 rdev      80 blksize   84 flags (0) 88 end                    (u32)
 * </pre>
 *
 * @param blocks 512-byte blocks, as stat(2) counts them
 * @param mode the file type bits and permissions, as st_mode
 * @param blksize the preferred I/O size stat(2) reports; 0 lets the kernel use the page size
 */
public record Attr(long ino, long size, long blocks, long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec,
        long ctimeSec, int ctimeNsec, int mode, int nlink, int uid, int gid, int rdev, int blksize) {
    public static final int SIZE = 88;
    /** The attributes of a negative entry: the kernel reads none of them. */
    public static final Attr NONE = new Attr(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public Attr {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        if (blocks < 0) {
            throw new IllegalArgumentException("blocks " + blocks + " is negative");
        }
        requireNanos("atime", atimeNsec);
        requireNanos("mtime", mtimeNsec);
        requireNanos("ctime", ctimeNsec);
    }

    private static void requireNanos(String what, int nanos) {
        if (nanos < 0 || nanos > 999_999_999) {
            throw new IllegalArgumentException(what + " nanoseconds " + nanos + " are not in 0..999999999");
        }
    }
}
