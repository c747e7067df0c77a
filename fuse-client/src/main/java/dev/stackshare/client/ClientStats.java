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
 */
public record ClientStats(long objectsFetched, long bytesFetched, long diskCacheHits, long memoryCacheHits,
                          long requests, long fetchRetries, long fetchesGivenUp, long overloadRetries) {
}
