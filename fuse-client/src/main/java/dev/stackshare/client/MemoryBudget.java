package dev.stackshare.client;

/**
 * The memory cache's bound when none is given: half of the heap the snapshot's metadata leaves,
 * between {@link #MIN_BYTES} and {@link #MAX_BYTES}. A stack's metadata takes a few MB and its
 * job's working set (the corpus job: about 1,700 objects) then stays in memory, so a later job
 * on the mount reads nothing from disk; a million-file snapshot's metadata takes half the
 * mount's 256 MB heap, and its cache gets about what the old fixed bound gave (64 MB). The other
 * half is for the batches in flight and the garbage they make.
 */
final class MemoryBudget {
    static final long MIN_BYTES = 32L << 20;
    static final long MAX_BYTES = 128L << 20;

    private MemoryBudget() {
    }

    /** The cache's bound in a heap of {@code maxHeapBytes} of which the metadata keeps {@code metadataBytes}. */
    static long cacheBytes(long maxHeapBytes, long metadataBytes) {
        long half = Math.max(0, maxHeapBytes - metadataBytes) / 2;
        return Math.max(MIN_BYTES, Math.min(MAX_BYTES, half));
    }
}
