package dev.stackshare.client.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes whole replies and notifications into a caller's buffer, so that the session makes one
 * write(2) of {@code out.remaining()} bytes per reply. Every method clears {@code out}, sets it to
 * native byte order, writes, and flips it; a buffer too small for the reply throws
 * {@link java.nio.BufferOverflowException} (the session sizes its buffers from max_write and
 * max_pages, so that is a bug, not input).
 *
 * <pre>
 *  0         4           8                 16
 *  | len u32 | error i32 | unique u64      | body ...
 * </pre>
 *
 * {@code len} counts the header. {@code error} is 0 or a negative errno for replies, and a
 * positive {@link NotifyCode} with unique 0 for notifications.
 */
public final class ReplyEncoder {
    /** sizeof(struct fuse_out_header). */
    public static final int HEADER_SIZE = 16;
    /** Before 7.23 fuse_init_out ended after max_write; those kernels refuse a longer reply. */
    private static final int INIT_OUT_COMPAT_22_SIZE = 24;
    private static final int INIT_OUT_SIZE = 64;
    private static final int TIME_GRAN_MINOR = 23;

    public static final int FOPEN_DIRECT_IO = 1;
    /** Keep the page cache from an earlier open: right for content that never changes. */
    public static final int FOPEN_KEEP_CACHE = 1 << 1;
    public static final int FOPEN_NONSEEKABLE = 1 << 2;
    /** On OPENDIR: let the kernel cache the directory's READDIR pages. */
    public static final int FOPEN_CACHE_DIR = 1 << 3;
    public static final int FOPEN_STREAM = 1 << 4;
    public static final int FOPEN_NOFLUSH = 1 << 5;
    public static final int FOPEN_PARALLEL_DIRECT_WRITES = 1 << 6;

    private ReplyEncoder() {
    }

    /** The errno for a request the kernel interrupted before the answer was ready. */
    public static int interruptedErrno() {
        return Errno.EINTR;
    }

    /**
     * An error reply: a header alone with error = -errno. A positive errno is negated, a negative
     * one taken as it is, and 0 makes an empty success reply.
     */
    public static void error(ByteBuffer out, long unique, int errno) {
        if (errno == 0) {
            empty(out, unique);
            return;
        }
        int magnitude = errno < 0 ? -errno : errno;
        if (magnitude <= 0 || magnitude >= Errno.LIMIT) {
            throw new IllegalArgumentException("errno " + errno + " is not in 1.." + (Errno.LIMIT - 1) + ", which the kernel would refuse");
        }
        begin(out);
        finish(out, -magnitude, unique);
    }

    /** A success reply without a body (RELEASE, FLUSH, ACCESS, ...). */
    public static void empty(ByteBuffer out, long unique) {
        begin(out);
        finish(out, 0, unique);
    }

    /**
     * The INIT reply, in the size the kernel of {@code kernelMinor} expects: 24 bytes before 7.23,
     * 64 after; flags2 is written only with FUSE_INIT_EXT.
     */
    public static void init(ByteBuffer out, long unique, InitOut init, int kernelMinor) {
        begin(out);
        out.putInt(init.major()).putInt(init.minor()).putInt(init.maxReadahead()).putInt((int) init.flags());
        out.putShort((short) init.maxBackground()).putShort((short) init.congestionThreshold()).putInt(init.maxWrite());
        if (kernelMinor >= TIME_GRAN_MINOR) {
            out.putInt(init.timeGran()).putShort((short) init.maxPages()).putShort((short) 0);
            boolean ext = (init.flags() & InitNegotiation.FUSE_INIT_EXT) != 0;
            out.putInt(ext ? (int) (init.flags() >>> 32) : 0);
            zeros(out, HEADER_SIZE + INIT_OUT_SIZE - out.position());
        }
        assert out.position() == HEADER_SIZE + (kernelMinor >= TIME_GRAN_MINOR ? INIT_OUT_SIZE : INIT_OUT_COMPAT_22_SIZE);
        finish(out, 0, unique);
    }

    /** The LOOKUP reply, fuse_entry_out (a negative entry too: see {@link EntryOut}). */
    public static void entry(ByteBuffer out, long unique, EntryOut entry) {
        begin(out);
        putEntry(out, entry);
        finish(out, 0, unique);
    }

    /**
     * The GETATTR reply, fuse_attr_out.
     *
     * <pre>
     *  0 attr_valid u64   8 attr_valid_nsec u32   12 dummy u32   16 fuse_attr (88)   104
     * </pre>
     */
    public static void attr(ByteBuffer out, long unique, long attrValidNanos, Attr attr) {
        if (attrValidNanos < 0) {
            throw new IllegalArgumentException("attribute validity " + attrValidNanos + " ns is negative");
        }
        begin(out);
        out.putLong(attrValidNanos / 1_000_000_000L).putInt((int) (attrValidNanos % 1_000_000_000L)).putInt(0);
        putAttr(out, attr);
        finish(out, 0, unique);
    }

    /** The OPEN or OPENDIR reply, fuse_open_out: fh u64, open_flags u32 ({@code FOPEN_*}), padding. */
    public static void open(ByteBuffer out, long unique, long fh, int openFlags) {
        begin(out);
        out.putLong(fh).putInt(openFlags).putInt(0);
        finish(out, 0, unique);
    }

    /** The STATFS reply, fuse_statfs_out. */
    public static void statfs(ByteBuffer out, long unique, StatfsOut statfs) {
        begin(out);
        out.putLong(statfs.blocks()).putLong(statfs.bfree()).putLong(statfs.bavail()).putLong(statfs.files()).putLong(statfs.ffree());
        out.putInt(statfs.bsize()).putInt(statfs.namelen()).putInt(statfs.frsize());
        zeros(out, 4 + 6 * 4);
        finish(out, 0, unique);
    }

    /** A reply whose body is raw bytes: READ, READLINK, GETXATTR or LISTXATTR with a size. */
    public static void data(ByteBuffer out, long unique, byte[] src, int offset, int length) {
        begin(out);
        out.put(src, offset, length);
        finish(out, 0, unique);
    }

    /**
     * Starts a raw-bytes reply for the caller to fill without a copy: returns a view of {@code out}
     * after the header, at position 0 with the room left as its limit. Fill it (a FileChannel read,
     * a cache copy), then call {@link #endData} with the number of bytes written.
     */
    public static ByteBuffer beginData(ByteBuffer out, long unique) {
        begin(out);
        out.putLong(8, unique);
        return out.slice(HEADER_SIZE, out.capacity() - HEADER_SIZE);
    }

    /** Ends a reply begun with {@link #beginData}: {@code dataLength} bytes follow the header. */
    public static void endData(ByteBuffer out, int dataLength) {
        if (dataLength < 0 || dataLength > out.capacity() - HEADER_SIZE) {
            throw new IllegalArgumentException("data length " + dataLength + " is not in 0.." + (out.capacity() - HEADER_SIZE));
        }
        out.position(HEADER_SIZE + dataLength);
        finish(out, 0, out.getLong(8));
    }

    /** The GETXATTR or LISTXATTR reply to a size-0 request: fuse_getxattr_out, the value's length. */
    public static void xattrSize(ByteBuffer out, long unique, int size) {
        if (size < 0) {
            throw new IllegalArgumentException("attribute size " + size + " is negative");
        }
        begin(out);
        out.putInt(size).putInt(0);
        finish(out, 0, unique);
    }

    /** The LSEEK reply, fuse_lseek_out: the offset found. */
    public static void lseek(ByteBuffer out, long unique, long offset) {
        begin(out);
        out.putLong(offset);
        finish(out, 0, unique);
    }

    /**
     * NOTIFY_STORE: puts {@code length} bytes of data into the kernel's page cache for
     * {@code nodeId} at {@code offset}, ahead of any READ.
     *
     * <pre>
     *  0 nodeid u64   8 offset u64   16 size u32   20 padding   24 data ...
     * </pre>
     */
    public static void notifyStore(ByteBuffer out, long nodeId, long offset, byte[] data, int from, int length) {
        if (offset < 0) {
            throw new IllegalArgumentException("store offset " + offset + " is negative");
        }
        begin(out);
        out.putLong(nodeId).putLong(offset).putInt(length).putInt(0);
        out.put(data, from, length);
        finish(out, NotifyCode.STORE.code(), 0);
    }

    /**
     * NOTIFY_INVAL_ENTRY: drops the kernel's cached {@code name} in {@code parent}.
     *
     * <pre>
     *  0 parent u64   8 namelen u32   12 flags u32 (0)   16 name, NUL (no padding: the kernel wants exactly this)
     * </pre>
     */
    public static void notifyInvalEntry(ByteBuffer out, long parent, byte[] name) {
        Names.requireComponent(name);
        begin(out);
        out.putLong(parent).putInt(name.length).putInt(0).put(name).put((byte) 0);
        finish(out, NotifyCode.INVAL_ENTRY.code(), 0);
    }

    /**
     * NOTIFY_INVAL_INODE: drops {@code nodeId}'s cached attributes and, from {@code offset} for
     * {@code length} bytes, its cached pages (a negative offset: attributes only; length 0: to the
     * end).
     *
     * <pre>
     *  0 ino u64   8 off i64   16 len i64   24
     * </pre>
     */
    public static void notifyInvalInode(ByteBuffer out, long nodeId, long offset, long length) {
        begin(out);
        out.putLong(nodeId).putLong(offset).putLong(length);
        finish(out, NotifyCode.INVAL_INODE.code(), 0);
    }

    /** fuse_entry_out at the buffer's position; shared with READDIRPLUS. */
    static void putEntry(ByteBuffer out, EntryOut entry) {
        out.putLong(entry.nodeId()).putLong(entry.generation());
        out.putLong(entry.entryValidNanos() / 1_000_000_000L).putLong(entry.attrValidNanos() / 1_000_000_000L);
        out.putInt((int) (entry.entryValidNanos() % 1_000_000_000L)).putInt((int) (entry.attrValidNanos() % 1_000_000_000L));
        putAttr(out, entry.attr());
    }

    static void putAttr(ByteBuffer out, Attr a) {
        out.putLong(a.ino()).putLong(a.size()).putLong(a.blocks()).putLong(a.atimeSec()).putLong(a.mtimeSec()).putLong(a.ctimeSec());
        out.putInt(a.atimeNsec()).putInt(a.mtimeNsec()).putInt(a.ctimeNsec());
        out.putInt(a.mode()).putInt(a.nlink()).putInt(a.uid()).putInt(a.gid()).putInt(a.rdev()).putInt(a.blksize()).putInt(0);
    }

    static void zeros(ByteBuffer out, int count) {
        for (int i = 0; i < count; i++) {
            out.put((byte) 0);
        }
    }

    /** Clears the buffer and leaves room for the header, which {@link #finish} writes. */
    static void begin(ByteBuffer out) {
        out.clear().order(ByteOrder.nativeOrder());
        out.position(HEADER_SIZE);
    }

    /** Writes the header for what lies before the position and flips the buffer for write(2). */
    static void finish(ByteBuffer out, int error, long unique) {
        out.putInt(0, out.position()).putInt(4, error).putLong(8, unique);
        out.flip();
    }
}
