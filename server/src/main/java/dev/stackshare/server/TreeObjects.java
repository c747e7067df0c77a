package dev.stackshare.server;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Every directory object and every chunk-list object reachable from a tree, each once, read
 * lazily from the frozen store (breadth first), so a client can mount, list and open big files
 * after one request.
 */
final class TreeObjects implements ItemSource {
    private final FrozenStore store;
    private final int chunkSize;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Set<Digest> seen = new HashSet<>();

    private record Pending(Digest digest, boolean directory) {
    }

    TreeObjects(FrozenStore store, Digest top, int chunkSize) {
        this.store = store;
        this.chunkSize = chunkSize;
        seen.add(top);
        queue.add(new Pending(top, true));
    }

    @Override
    public BatchStream.Item next() throws IOException {
        Pending next = queue.poll();
        if (next == null) {
            return null;
        }
        byte[] frame = store.readFrame(next.digest());
        if (frame == null) {
            throw new NoSuchFileException(store.pathOf(next.digest()).toString(), null,
                    "object of a published tree is missing from the frozen store");
        }
        if (next.directory()) {
            byte[] raw = Compression.decompress(frame);
            Digest actual = Digest.of(raw);
            if (!actual.equals(next.digest())) {
                throw new DigestMismatchException(next.digest(), actual, "frozen store");
            }
            for (Entry e : DirectoryCodec.decode(raw).entries()) {
                if (e instanceof Entry.Dir d && seen.add(d.tree())) {
                    queue.add(new Pending(d.tree(), true));
                } else if (e instanceof Entry.File f && Chunking.isChunked(f.size(), chunkSize) && seen.add(f.content())) {
                    queue.add(new Pending(f.content(), false));
                }
            }
        }
        return new BatchStream.Item(next.digest(), frame);
    }
}
