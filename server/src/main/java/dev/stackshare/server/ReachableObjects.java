package dev.stackshare.server;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/** Every object some snapshot needs: its directories, chunk lists and chunks (the mark of gc). */
final class ReachableObjects {
    private ReachableObjects() {
    }

    static Set<Digest> of(Collection<Snapshot> snapshots, FrozenStore store) throws IOException {
        Set<Digest> marked = new HashSet<>();
        for (Snapshot s : snapshots) {
            Deque<Digest> dirs = new ArrayDeque<>();
            dirs.push(s.tree());
            while (!dirs.isEmpty()) {
                Digest d = dirs.pop();
                if (!marked.add(d)) {
                    continue; // a shared subtree: already walked
                }
                Directory dir = DirectoryCodec.decode(store.readRaw(d));
                for (Entry e : dir.entries()) {
                    if (e instanceof Entry.Dir sub) {
                        dirs.push(sub.tree());
                    } else if (e instanceof Entry.File f && marked.add(f.content())
                            && Chunking.isChunked(f.size(), s.chunkSize())) {
                        marked.addAll(ChunkList.decode(store.readRaw(f.content())).chunks());
                    }
                }
            }
        }
        return marked;
    }
}
