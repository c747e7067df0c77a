package dev.stackshare.client;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds snapshots object by object, as the server would, and serves them as an {@link ObjectSource}. */
final class TestSnapshot implements ObjectSource {
    static final int CHUNK_SIZE = Chunking.MIN_CHUNK_SIZE;
    static final long MTIME = 1_700_000_000_123_456_789L;

    final Map<Digest, byte[]> objects = new ConcurrentHashMap<>();
    /** Directory and chunk-list objects: what the tree endpoint answers. */
    final Set<Digest> metadata = ConcurrentHashMap.newKeySet();
    final AtomicInteger gets = new AtomicInteger();
    final int chunkSize;

    TestSnapshot() {
        this(CHUNK_SIZE);
    }

    TestSnapshot(int chunkSize) {
        this.chunkSize = chunkSize;
    }

    Digest put(byte[] raw) {
        Digest d = Digest.of(raw);
        objects.put(d, raw);
        return d;
    }

    Entry.File file(String name, int mode, byte[] content) {
        if (!Chunking.isChunked(content.length, chunkSize)) {
            return new Entry.File(name, mode, content.length, MTIME, put(content));
        }
        List<Digest> chunks = new ArrayList<>();
        for (int i = 0; i < Chunking.chunkCount(content.length, chunkSize); i++) {
            int from = i * chunkSize;
            chunks.add(put(Arrays.copyOfRange(content, from, from + Chunking.chunkLength(content.length, chunkSize, i))));
        }
        Digest list = put(new ChunkList(chunks).encode());
        metadata.add(list);
        return new Entry.File(name, mode, content.length, MTIME, list);
    }

    Entry.Dir dir(String name, Entry... entries) {
        return new Entry.Dir(name, 0755, 4096, MTIME, directory(entries));
    }

    Digest directory(Entry... entries) {
        Digest d = put(DirectoryCodec.encode(new Directory(List.of(entries))));
        metadata.add(d);
        return d;
    }

    Snapshot snapshot(String id, Entry... top) {
        return new Snapshot(id, "default", Instant.parse("2024-05-01T10:00:00Z"), chunkSize, directory(top),
                List.of(new Snapshot.Root("/home/a/stack", Snapshot.RootKind.STABLE, directory(), 3, 12345)),
                Map.of("PATH", "/home/a/stack/bin"));
    }

    /** The chunk digests of a file built here. */
    List<Digest> chunksOf(Entry.File f) throws IOException {
        if (!Chunking.isChunked(f.size(), chunkSize)) {
            return List.of(f.content());
        }
        return ChunkList.decode(objects.get(f.content())).chunks();
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        gets.incrementAndGet();
        byte[] raw = objects.get(digest);
        if (raw == null) {
            throw new NoSuchFileException("no object " + digest.hex());
        }
        return raw;
    }

    static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed + (i >> 8));
        }
        return b;
    }
}
