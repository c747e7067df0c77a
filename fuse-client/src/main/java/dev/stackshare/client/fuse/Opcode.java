package dev.stackshare.client.fuse;

/**
 * The request opcodes of fuse.h's {@code enum fuse_opcode} (7.38) and, after it, those of newer
 * kernels that this side knows by number. Opcodes arrive as raw ints in {@link RequestHeader};
 * {@link #of} maps them here and returns null for any code not listed, which the session answers
 * ENOSYS.
 */
public enum Opcode {
    LOOKUP(1),
    /** No reply: the kernel does not wait for one. */
    FORGET(2),
    GETATTR(3),
    SETATTR(4),
    READLINK(5),
    SYMLINK(6),
    MKNOD(8),
    MKDIR(9),
    UNLINK(10),
    RMDIR(11),
    RENAME(12),
    LINK(13),
    OPEN(14),
    READ(15),
    WRITE(16),
    STATFS(17),
    RELEASE(18),
    FSYNC(20),
    SETXATTR(21),
    GETXATTR(22),
    LISTXATTR(23),
    REMOVEXATTR(24),
    FLUSH(25),
    INIT(26),
    OPENDIR(27),
    READDIR(28),
    RELEASEDIR(29),
    FSYNCDIR(30),
    GETLK(31),
    SETLK(32),
    SETLKW(33),
    ACCESS(34),
    CREATE(35),
    INTERRUPT(36),
    BMAP(37),
    DESTROY(38),
    IOCTL(39),
    POLL(40),
    NOTIFY_REPLY(41),
    /** No reply, like FORGET. */
    BATCH_FORGET(42),
    FALLOCATE(43),
    READDIRPLUS(44),
    RENAME2(45),
    LSEEK(46),
    COPY_FILE_RANGE(47),
    SETUPMAPPING(48),
    REMOVEMAPPING(49),
    SYNCFS(50),
    TMPFILE(51),
    /** Not in fuse.h 7.38: added with protocol 7.39 (Linux 6.6); kernels send it from then on. */
    STATX(52),
    /** Only on /dev/cuse, never on a FUSE mount; listed because fuse.h lists it. */
    CUSE_INIT(4096);

    private static final Opcode[] BY_CODE = new Opcode[STATX.code + 1];

    static {
        for (Opcode op : values()) {
            if (op.code < BY_CODE.length) {
                BY_CODE[op.code] = op;
            }
        }
    }

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The opcode with this number, or null when it is not one this side knows. */
    public static Opcode of(int code) {
        if (code == CUSE_INIT.code) {
            return CUSE_INIT;
        }
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** False for FORGET and BATCH_FORGET: writing a reply to them is a protocol error. */
    public boolean expectsReply() {
        return this != FORGET && this != BATCH_FORGET;
    }
}
