package dev.stackshare.client.fuse;

import java.nio.ByteBuffer;

/**
 * Fills one READDIR or READDIRPLUS reply with as many entries as the kernel's size allows.
 *
 * <pre>
 *  fuse_dirent:      0 ino u64   8 off u64   16 namelen u32   20 type u32   24 name, 0-padded to 8
 *  fuse_direntplus:  0 fuse_entry_out (128)  128 fuse_dirent as above
 * </pre>
 *
 * {@code off} is the cookie the kernel passes back as the next READDIR's offset to continue after
 * this entry, so it must be non-zero and stable for the directory. Each record is padded with
 * zeros to a multiple of 8 bytes, the last one too: the kernel parses by padded length.
 */
public final class DirectoryListing {
    public static final int DT_UNKNOWN = 0;
    public static final int DT_FIFO = 1;
    public static final int DT_CHR = 2;
    public static final int DT_DIR = 4;
    public static final int DT_BLK = 6;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
    public static final int DT_SOCK = 12;

    /** offsetof(struct fuse_dirent, name). */
    static final int DIRENT_NAME_OFFSET = 24;

    private final ByteBuffer out;
    private final long unique;
    private final boolean plus;
    /** Body bytes allowed: the kernel's size, or less when the buffer is smaller. */
    private final int room;
    private int used;
    private int count;
    private boolean finished;

    /**
     * Starts a reply in {@code out} (cleared here) for a request asking at most {@code size} body
     * bytes; {@code plus} for READDIRPLUS.
     */
    public DirectoryListing(ByteBuffer out, long unique, int size, boolean plus) {
        if (size < 0) {
            throw new IllegalArgumentException("READDIR size " + size + " is negative");
        }
        this.out = out;
        this.unique = unique;
        this.plus = plus;
        this.room = Math.min(size, out.capacity() - ReplyEncoder.HEADER_SIZE);
        ReplyEncoder.begin(out);
    }

    /** The length of a fuse_dirent record for a name of this many bytes, padding included. */
    public static int direntSize(int nameLength) {
        return align8(DIRENT_NAME_OFFSET + nameLength);
    }

    /** Whether this is a READDIRPLUS reply, whose entries carry their attributes. */
    public boolean plus() {
        return plus;
    }

    /** The length of a fuse_direntplus record for a name of this many bytes, padding included. */
    public static int direntplusSize(int nameLength) {
        return align8(EntryOut.SIZE + DIRENT_NAME_OFFSET + nameLength);
    }

    /**
     * Adds a READDIR entry; false, adding nothing, when it would pass the requested size.
     *
     * @param type the d_type ({@link #DT_DIR}, {@link #DT_REG}, {@link #DT_LNK}, ...)
     * @param nextOffset the offset at which a later READDIR continues after this entry
     */
    public boolean add(long ino, byte[] name, int type, long nextOffset) {
        requireValid(false, name, type);
        int record = direntSize(name.length);
        if (record > room - used) {
            return false;
        }
        putDirent(ino, name, type, nextOffset, record);
        return true;
    }

    /**
     * Adds a READDIRPLUS entry: the entry's lookup answer, then its dirent (with the attributes'
     * ino). False, adding nothing, when it would pass the requested size. Unless its node id is 0,
     * each added entry counts as a lookup the kernel will FORGET.
     */
    public boolean add(EntryOut entry, byte[] name, int type, long nextOffset) {
        requireValid(true, name, type);
        int record = direntplusSize(name.length);
        if (record > room - used) {
            return false;
        }
        ReplyEncoder.putEntry(out, entry);
        putDirent(entry.attr().ino(), name, type, nextOffset, record - EntryOut.SIZE);
        return true;
    }

    /** Writes the header over what was added and flips the buffer for write(2). */
    public void finish() {
        if (finished) {
            throw new IllegalStateException("listing already finished");
        }
        finished = true;
        ReplyEncoder.finish(out, 0, unique);
    }

    /** Entries added so far. */
    public int count() {
        return count;
    }

    /** Body bytes used so far. */
    public int size() {
        return used;
    }

    private void putDirent(long ino, byte[] name, int type, long nextOffset, int record) {
        out.putLong(ino).putLong(nextOffset).putInt(name.length).putInt(type).put(name);
        ReplyEncoder.zeros(out, record - DIRENT_NAME_OFFSET - name.length);
        used = out.position() - ReplyEncoder.HEADER_SIZE;
        count++;
    }

    /** Checks everything before a byte is written, so a refused entry leaves the reply whole. */
    private void requireValid(boolean plusEntry, byte[] name, int type) {
        if (finished) {
            throw new IllegalStateException("listing already finished");
        }
        if (plusEntry != plus) {
            throw new IllegalStateException(plus ? "READDIRPLUS entries need an EntryOut" : "READDIR entries take no EntryOut");
        }
        Names.requireComponent(name);
        if (type < 0 || type > 15) {
            throw new IllegalArgumentException("d_type " + type + " is not in 0..15");
        }
    }

    private static int align8(int length) {
        return (length + 7) & ~7;
    }
}
