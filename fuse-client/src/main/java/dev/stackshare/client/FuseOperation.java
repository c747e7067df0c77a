package dev.stackshare.client;

/**
 * The kernel's requests that reach the mount's Java code. Each one is a round trip from the job
 * into this process, so their count is what the kernel's caches did not answer.
 */
enum FuseOperation {
    GETATTR, READDIR, READ, READLINK, STATFS, ACCESS,
    /** Once per mount at most: refused, so that the kernel stops asking (see {@link SnapshotFileSystem#of}). */
    OPEN,
    /** Our own kernel session only: libfuse answers look-ups from the getattr of the path. */
    LOOKUP;

    /** The name in stats and JSON: the FUSE operation's own, lower case. */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
