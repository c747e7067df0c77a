package dev.stackshare.client;

/**
 * What a mount has cost so far.
 *
 * @param objectsFetched objects that came over the network (single, batch and tree answers)
 * @param bytesFetched   wire (compressed) body bytes of those answers
 * @param diskCacheHits  objects served by the node's disk cache
 * @param memoryCacheHits objects served by the in-memory cache (including reads that joined a fetch under way)
 * @param requests       HTTP requests sent, including retries and snapshot or view look-ups
 */
public record ClientStats(long objectsFetched, long bytesFetched, long diskCacheHits, long memoryCacheHits,
                          long requests) {
}
