package dev.stackshare.client.fuse;

/**
 * The 40-byte {@code fuse_in_header} every request starts with.
 *
 * <pre>
 *  0      4        8                16               24    28    32    36            38      40
 *  +------+--------+----------------+----------------+-----+-----+-----+-------------+-------+
 *  | len  | opcode | unique         | nodeid         | uid | gid | pid | total_extlen| pad   |
 *  +------+--------+----------------+----------------+-----+-----+-----+-------------+-------+
 * </pre>
 *
 * The opcode stays the raw number so that a request with an opcode this side does not know can
 * still be answered (ENOSYS) under its unique. {@code total_extlen} (8-byte units of extensions at
 * the end of the request, protocol 7.38+) is consumed by the decoder and not kept.
 *
 * @param length the whole request's length in bytes, header included
 * @param unique the id the reply must carry; 0 is never a request the kernel waits on
 * @param nodeId the node the request is about (the parent for LOOKUP)
 */
public record RequestHeader(int length, int opcode, long unique, long nodeId, int uid, int gid, int pid) {
    /** sizeof(struct fuse_in_header). */
    public static final int SIZE = 40;

    public RequestHeader {
        if (Integer.compareUnsigned(length, SIZE) < 0) {
            throw new IllegalArgumentException("request length " + Integer.toUnsignedString(length) + " is shorter than the " + SIZE + "-byte header");
        }
    }

    /** The opcode as an enum constant, or null for an opcode this side does not know. */
    public Opcode knownOpcode() {
        return Opcode.of(opcode);
    }
}
