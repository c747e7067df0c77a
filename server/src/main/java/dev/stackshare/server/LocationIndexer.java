package dev.stackshare.server;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rebuilds where the chunks of stable roots live from snapshots published before a restart, by
 * walking their trees in the frozen store. Nothing about places is persisted: the trees already
 * say which file holds which chunks.
 */
final class LocationIndexer {
    private final FrozenStore store;
    private final StableLocations locations;
    /** (tree, path) pairs already walked: snapshots share most subtrees, so each is walked once. */
    private final Set<String> walked = new HashSet<>();

    LocationIndexer(FrozenStore store, StableLocations locations) {
        this.store = store;
        this.locations = locations;
    }

    void index(Snapshot snapshot) throws IOException {
        for (Snapshot.Root root : snapshot.roots()) {
            if (root.kind() != Snapshot.RootKind.STABLE) {
                continue;
            }
            Path given = Path.of(root.path());
            Path real;
            try {
                real = given.toRealPath();
            } catch (IOException e) {
                // The root is gone; its chunks are still published, and will answer as changed.
                real = given;
            }
            walk(root.tree(), real, real, snapshot.chunkSize());
        }
    }

    private void walk(Digest tree, Path dir, Path rootReal, int chunkSize) throws IOException {
        if (!walked.add(tree.hex() + '\0' + dir)) {
            return;
        }
        Directory directory = DirectoryCodec.decode(store.readRaw(tree));
        for (Entry e : directory.entries()) {
            Path path = dir.resolve(e.name());
            if (e instanceof Entry.Dir d) {
                walk(d.tree(), path, rootReal, chunkSize);
            } else if (e instanceof Entry.File f) {
                List<Digest> chunks = Chunking.isChunked(f.size(), chunkSize)
                        ? ChunkList.decode(store.readRaw(f.content())).chunks()
                        : List.of(f.content());
                locations.addFile(path, rootReal, f.size(), chunkSize, chunks);
            }
        }
    }
}
