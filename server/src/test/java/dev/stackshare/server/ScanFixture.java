package dev.stackshare.server;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot.RootKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A scanner over a frozen store in a temp dir, with 4 KiB chunks so multi-chunk files stay small. */
final class ScanFixture implements AutoCloseable {
    static final int CHUNK = 4096;

    final FrozenStore store;
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    final TreeScanner scanner;

    ScanFixture(Path storeDir) throws IOException {
        this(storeDir, FileHasher.ReadListener.NONE);
    }

    ScanFixture(Path storeDir, FileHasher.ReadListener listener) throws IOException {
        store = FrozenStore.open(storeDir);
        scanner = new TreeScanner(new FileHasher(CHUNK, listener), store, pool, Set.of(), Excludes.NONE);
    }

    TreeScanner.RootScan scan(Path root, RootKind kind) throws IOException {
        return scanner.scan(root.toRealPath(), kind);
    }

    Directory dir(Digest digest) throws IOException {
        return DirectoryCodec.decode(store.readRaw(digest));
    }

    ChunkList chunkList(Digest digest) throws IOException {
        return ChunkList.decode(store.readRaw(digest));
    }

    Entry entry(Digest tree, String relative) throws IOException {
        Directory d = dir(tree);
        String[] parts = relative.split("/");
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i];
            Entry found = d.entries().stream().filter(e -> e.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " in " + relative));
            if (i == parts.length - 1) {
                return found;
            }
            d = dir(((Entry.Dir) found).tree());
        }
        throw new AssertionError(relative);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
