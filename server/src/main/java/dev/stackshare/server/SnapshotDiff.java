package dev.stackshare.server;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Bytes of files that differ between two trees, found by walking both by path and skipping every
 * subtree whose digest is equal: cheap, since a publish after an edit changes a few paths only.
 */
final class SnapshotDiff {
    private final FrozenStore store;

    SnapshotDiff(FrozenStore store) {
        this.store = store;
    }

    /** Bytes of the files of {@code tree} whose content {@code before} (null: nothing) lacks at the same path. */
    long newBytes(Digest before, Digest tree) throws IOException {
        if (tree.equals(before)) {
            return 0;
        }
        Map<String, Entry> old = before == null ? Map.of() : DirectoryCodec.decode(store.readRaw(before)).entries()
                .stream().collect(Collectors.toMap(Entry::name, Function.identity()));
        long bytes = 0;
        Directory dir = DirectoryCodec.decode(store.readRaw(tree));
        for (Entry e : dir.entries()) {
            Entry was = old.get(e.name());
            if (e instanceof Entry.Dir d) {
                bytes += newBytes(was instanceof Entry.Dir wd ? wd.tree() : null, d.tree());
            } else if (e instanceof Entry.File f && !(was instanceof Entry.File wf && wf.content().equals(f.content()))) {
                bytes += f.size();
            }
        }
        return bytes;
    }
}
