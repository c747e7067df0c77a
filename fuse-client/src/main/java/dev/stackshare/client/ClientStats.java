package dev.stackshare.client;

/**
 * What a mount has cost so far.
 *
 * @param objectsFetched objects that came over the network (single, batch and tree answers)
 * @param bytesFetched   wire (compressed) body bytes of those answers
 * @param diskCacheHits  objects served by the node's disk cache
 * @param memoryCacheHits objects served by the in-memory cache (including reads that joined a fetch under way)
 * @param requests       HTTP requests sent, including retries and snapshot or view look-ups
 * @param fetchRetries   fetches that failed (server away, broken or wrong answer) and were tried again
 * @param fetchesGivenUp fetches given up on at the fetch deadline: reads that failed with EIO
 * @param overloadRetries requests refused with 503 and sent again after the wait the server asked
 * @param fuseOperations the kernel's requests the mount answered, by FUSE operation (getattr, read,
 *                       readdir, ...): what the kernel's caches did not answer themselves
 */
public record ClientStats(long objectsFetched, long bytesFetched, long diskCacheHits, long memoryCacheHits,
                          long requests, long fetchRetries, long fetchesGivenUp, long overloadRetries,
                          java.util.Map<String, Long> fuseOperations) {
    public ClientStats {
        fuseOperations = fuseOperations == null ? java.util.Map.of() : java.util.Map.copyOf(fuseOperations);
    }

    /** How many requests of the kernel the mount answered, of every kind. */
    public long fuseOperationsTotal() {
        return fuseOperations.values().stream().mapToLong(Long::longValue).sum();
    }
}
