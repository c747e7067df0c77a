package dev.stackshare.server;

/**
 * Which threads answer a request, and whether it counts against the {@link InFlightLimit}.
 * Look-ups have threads of their own, so a node's view or snapshot look-up (and {@code /v1/stats})
 * is answered promptly however many object reads are queued.
 */
enum Lane {
    /** Objects, batches, packs, trees and traces: disk reads, bounded in flight, refused with 503 past the bound. */
    DATA,
    /** Views, snapshot records, the snapshot list and stats: small, in memory, never queued behind data. */
    LOOKUP,
    /** Publish, gc and trace uploads: rare, long, on the blocking pool and not bounded here. */
    OTHER;

    static Lane of(ApiRequest request) {
        if (request instanceof ApiRequest.GetObject || request instanceof ApiRequest.Batch
                || request instanceof ApiRequest.GetPack || request instanceof ApiRequest.GetTree
                || request instanceof ApiRequest.GetTrace) {
            return DATA;
        }
        if (request instanceof ApiRequest.GetView || request instanceof ApiRequest.GetSnapshot
                || request instanceof ApiRequest.ListSnapshots || request instanceof ApiRequest.Stats) {
            return LOOKUP;
        }
        return OTHER;
    }
}
