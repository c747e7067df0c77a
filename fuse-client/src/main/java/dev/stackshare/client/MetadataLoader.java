package dev.stackshare.client;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.ProtocolException;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
    /** Raw bytes of the tree answer held in memory for the build. */
    static final long MAX_HELD_BYTES = 32L * 1024 * 1024;

    /** Streams every directory and chunk-list object of a snapshot; {@link ServerClient#tree} in production. */
    @FunctionalInterface
    interface TreeFetcher {
        void fetch(String snapshotId, ServerClient.ItemSink sink) throws IOException;
    }

    private final DiskCache disk;
    private final TreeFetcher trees;
    private final Executor background;

    MetadataLoader(DiskCache disk, TreeFetcher trees) {
        this(disk, trees, Runnable::run);
    }

    /**
     * @param background writes what the tree answer brought to the disk cache after the tree is
     *                   built, so the mount is ready without waiting for thousands of small writes
     */
    MetadataLoader(DiskCache disk, TreeFetcher trees, Executor background) {
        this.disk = disk;
        this.trees = trees;
        this.background = background;
    }

    SnapshotTree load(Snapshot snapshot) throws IOException {
        try {
            return SnapshotTree.build(snapshot, disk.localOnly());
        } catch (NotCachedException e) {
            log.debug("metadata of snapshot {} is not all cached ({}); fetching its tree", snapshot.id(), e.getMessage());
        }
        // What the answer brought, verified on insert, is built from memory up to a bound, not read
        // back from disk and hashed again; past the bound (a huge tree) the heap matters more.
        // Held objects reach the disk cache (for the next mount) after the build, off the mount's path.
        Map<Digest, byte[]> held = new HashMap<>();
        long[] heldBytes = {0};
        trees.fetch(snapshot.id(), item -> {
            byte[] raw = decompress(item);
            if (raw == null) {
                return;
            }
            if (!item.digest().matches(raw)) {
                // Dropped, not fatal: the build that follows fetches it again, verified.
                log.warn("dropped tree object {}: its bytes do not hash to its digest", item.digest().hex());
            } else if (heldBytes[0] + raw.length <= MAX_HELD_BYTES) {
                held.put(item.digest(), raw);
                heldBytes[0] += raw.length;
            } else {
                disk.putVerified(item.digest(), raw);
            }
        });
        Map<Digest, byte[]> toWrite = new LinkedHashMap<>(held);
        SnapshotTree tree = SnapshotTree.build(snapshot, digest -> {
            byte[] raw = held.remove(digest);
            return raw != null ? raw : disk.get(digest);
        });
        try {
            background.execute(() -> toWrite.forEach(this::keep));
        } catch (RejectedExecutionException e) {
            log.debug("metadata not kept on disk, the process is closing");
        }
        return tree;
    }

    /**
     * Writes a verified tree object to the disk cache. A copy already there is checked first: the
     * tree was fetched because the cached metadata was incomplete or corrupt, and an insert keeps
     * an existing file as it is, so a damaged copy would otherwise stay until a later mount reads it.
     */
    private void keep(Digest digest, byte[] raw) {
        if (disk.holds(digest)) {
            try {
                disk.peek(digest); // deletes it if corrupt
            } catch (IOException e) {
                log.debug("cannot check cached tree object {}: {}", digest.shortHex(), e.getMessage());
            }
        }
        disk.putVerified(digest, raw);
    }

    /** One object of the tree answer, inflated (not yet verified), or null when it was dropped. */
    private static byte[] decompress(BatchStream.Item item) {
        if (item.missing()) {
            log.warn("the tree answer lacks object {}; it will be asked for on its own", item.digest().hex());
            return null;
        }
        try {
            return Compression.decompress(item.frame());
        } catch (ProtocolException e) {
            // A bad item is dropped, not fatal: the build that follows fetches it again, verified.
            log.warn("dropped tree object {}: {}", item.digest().hex(), e.getMessage());
            return null;
        }
    }
}
