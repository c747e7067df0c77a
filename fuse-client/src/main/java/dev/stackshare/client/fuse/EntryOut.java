package dev.stackshare.client.fuse;

/**
 * The answer to a LOOKUP (and each READDIRPLUS entry): {@code struct fuse_entry_out}, 128 bytes.
 *
 * <pre>
 *  0        8            16            24           32               36              40        128
 *  | nodeid | generation | entry_valid | attr_valid | entry_valid_ns | attr_valid_ns | fuse_attr |
 * </pre>
 *
 * The validities are given here in nanoseconds and written as seconds plus nanoseconds. A
 * {@code nodeId} of 0 is a negative entry: the kernel remembers for {@code entryValidNanos} that the
 * name does not exist, without an ENOENT round trip, and adds no lookup to forget ({@link
 * #negative}). In READDIRPLUS a node id of 0 only means "no attributes for this one".
 *
 * @param generation with nodeId unique for the filesystem's life (matters to NFS export)
 */
public record EntryOut(long nodeId, long generation, long entryValidNanos, long attrValidNanos, Attr attr) {
    public static final int SIZE = 40 + Attr.SIZE;

    public EntryOut {
        if (entryValidNanos < 0) {
            throw new IllegalArgumentException("entry validity " + entryValidNanos + " ns is negative");
        }
        if (attrValidNanos < 0) {
            throw new IllegalArgumentException("attribute validity " + attrValidNanos + " ns is negative");
        }
        if (attr == null) {
            throw new IllegalArgumentException("no attributes: use Attr.NONE for a negative entry");
        }
    }

    /** A name that does not exist, cached by the kernel for {@code validNanos}. */
    public static EntryOut negative(long validNanos) {
        return new EntryOut(0, 0, validNanos, 0, Attr.NONE);
    }
}
