package dev.stackshare.client;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.ProtocolException;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a snapshot's metadata local at mount. When the disk cache already holds the root
 * directory and everything reachable from it, nothing goes over the network; otherwise one tree
 * request brings every directory and chunk list, and anything that answer lacked is fetched in
 * batches, one per tree level. File content is never read here.
 */
final class MetadataLoader {
    private static final Logger log = LoggerFactory.getLogger(MetadataLoader.class);

    /** Streams every directory and chunk-list object of a snapshot; {@link ServerClient#tree} in production. */
    @FunctionalInterface
    interface TreeFetcher {
        void fetch(String snapshotId, ServerClient.ItemSink sink) throws IOException;
    }

    private final DiskCache disk;
    private final TreeFetcher trees;

    MetadataLoader(DiskCache disk, TreeFetcher trees) {
        this.disk = disk;
        this.trees = trees;
    }

    SnapshotTree load(Snapshot snapshot) throws IOException {
        try {
            return SnapshotTree.build(snapshot, disk.localOnly());
        } catch (NotCachedException e) {
            log.debug("metadata of snapshot {} is not all cached ({}); fetching its tree", snapshot.id(), e.getMessage());
        }
        trees.fetch(snapshot.id(), this::insert);
        return SnapshotTree.build(snapshot, disk);
    }

    private void insert(BatchStream.Item item) throws IOException {
        if (item.missing()) {
            log.warn("the tree answer lacks object {}; it will be asked for on its own", item.digest().hex());
            return;
        }
        try {
            disk.put(item.digest(), Compression.decompress(item.frame()));
        } catch (ProtocolException e) {
            // A bad item is dropped, not fatal: the build that follows fetches it again, verified.
            log.warn("dropped tree object {}: {}", item.digest().hex(), e.getMessage());
        }
    }
}
