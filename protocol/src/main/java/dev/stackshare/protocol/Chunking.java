package dev.stackshare.protocol;

/** Fixed-size chunking: how a file's bytes map to chunks. The size is recorded per snapshot. */
public final class Chunking {
    /**
     * 512 KiB: small enough that a job reading a few symbols of a big {@code .so} fetches little,
     * large enough that a file of several hundred MB stays a chunk list of a few thousand digests.
     */
    public static final int DEFAULT_CHUNK_SIZE = 512 * 1024;
    public static final int MIN_CHUNK_SIZE = 4 * 1024;
    public static final int MAX_CHUNK_SIZE = 16 * 1024 * 1024;

    private Chunking() {
    }

    public static void checkChunkSize(int chunkSize) {
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunk size must be a power of two in [4 KiB, 16 MiB], got " + chunkSize);
        }
    }

    /** Whether a file of this size is named by a chunk list rather than by its single chunk. */
    public static boolean isChunked(long fileSize, int chunkSize) {
        return fileSize > chunkSize;
    }

    public static int chunkCount(long fileSize, int chunkSize) {
        return (int) Math.max(1, (fileSize + chunkSize - 1) / chunkSize);
    }

    /** Length of chunk {@code index} of a file of {@code fileSize} bytes. */
    public static int chunkLength(long fileSize, int chunkSize, int index) {
        long start = (long) index * chunkSize;
        return (int) Math.max(0, Math.min(chunkSize, fileSize - start));
    }
}
