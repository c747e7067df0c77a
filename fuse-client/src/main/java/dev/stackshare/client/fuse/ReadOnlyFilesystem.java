package dev.stackshare.client.fuse;

import java.nio.ByteBuffer;

/**
 * What a read-only filesystem answers over a {@link KernelSession}, in the kernel's own terms:
 * node ids (1 is the root, the others are the filesystem's own), raw name bytes, and errno by
 * {@link FuseException}. Called from several session threads at once.
 */
public interface ReadOnlyFilesystem {
    /** The child {@code name} of directory {@code parent}; null when there is none (the kernel then caches the miss). */
    EntryOut lookup(long parent, byte[] name) throws FuseException;

    Attr getattr(long node) throws FuseException;

    /** A symbolic link's target, exactly as stored. */
    byte[] readlink(long node) throws FuseException;

    /**
     * Reads up to {@code size} bytes at {@code offset} into {@code data} from its position on;
     * fewer only at the end of the file. Returns how many it put.
     */
    int read(long node, long offset, int size, ByteBuffer data) throws FuseException;

    /**
     * Adds the entries of directory {@code node} from {@code offset} on until the listing is full.
     * An entry's offset is the one to ask for next: offset 0 starts the listing.
     */
    void readdir(long node, long offset, DirectoryListing listing) throws FuseException;

    StatfsOut statfs() throws FuseException;
}
