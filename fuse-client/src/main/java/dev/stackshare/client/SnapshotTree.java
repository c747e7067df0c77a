package dev.stackshare.client;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.ProtocolException;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * All metadata of one snapshot, decoded and in memory: every directory listing and every chunk
 * list, so that stat, readdir and failed look-ups never wait on the network. Immutable once
 * built, so any number of FUSE threads may read it.
 *
 * <p>Directories are kept by digest, so identical subtrees (common across a stack) are held once.
 */
final class SnapshotTree {
    /** The synthetic top directory has no name in any listing; this one is never shown. */
    private static final String ROOT_NAME = "stackshare-root";

    /**
     * One directory: its object's bytes as they arrived, and where each entry starts. Entries are
     * decoded when asked for, and a name is found by binary search over the sorted bytes, so a
     * file costs the heap about its encoded size (some 75 bytes) rather than an entry, a name and
     * a digest as objects (about 300): that is what keeps a million-file snapshot in a small heap.
     */
    static final class Listing {
        private final byte[] raw;
        private final int[] offsets;
        private final int subdirectories;

        private Listing(byte[] raw, int[] offsets, int subdirectories) {
            this.raw = raw;
            this.offsets = offsets;
            this.subdirectories = subdirectories;
        }

        /** Checks a directory object (as {@link DirectoryCodec#decode} does) and indexes it. */
        static Listing of(byte[] raw) throws ProtocolException {
            int[] offsets = DirectoryCodec.entryOffsets(raw);
            int subdirectories = 0;
            for (int offset : offsets) {
                if (DirectoryCodec.isDirectoryAt(raw, offset)) {
                    subdirectories++;
                }
            }
            return new Listing(raw, offsets, subdirectories);
        }

        int size() {
            return offsets.length;
        }

        Entry entry(int index) {
            try {
                return DirectoryCodec.decodeEntryAt(raw, offsets[index]);
            } catch (ProtocolException e) {
                // of() checked every entry, so this cannot happen
                throw new IllegalStateException(e);
            }
        }

        /** Every entry, in name order, decoded now. */
        List<Entry> entries() {
            List<Entry> out = new ArrayList<>(offsets.length);
            for (int i = 0; i < offsets.length; i++) {
                out.add(entry(i));
            }
            return out;
        }

        /** The entry of that name, or null. */
        Entry find(String name) {
            int index = indexOf(name);
            return index < 0 ? null : entry(index);
        }

        /** Where the entry of that name is, or -1. */
        int indexOf(String name) {
            return indexOf(name.getBytes(StandardCharsets.UTF_8));
        }

        /** Where the entry whose name has exactly these UTF-8 bytes is, or -1. */
        int indexOf(byte[] wanted) {
            int low = 0;
            int high = offsets.length - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                int c = DirectoryCodec.compareNameAt(raw, offsets[mid], wanted);
                if (c < 0) {
                    low = mid + 1;
                } else if (c > 0) {
                    high = mid - 1;
                } else {
                    return mid;
                }
            }
            return -1;
        }

        int subdirectories() {
            return subdirectories;
        }

        /** Heap this listing keeps: its bytes, its offsets and the objects around them. */
        long heapBytes() {
            return raw.length + 4L * offsets.length + 3 * OBJECT_OVERHEAD;
        }
    }

    /** An object's header and a reference to it, give or take: enough for an estimate. */
    private static final int OBJECT_OVERHEAD = 32;
    /** A digest as a map key or list element: its object, its 32 bytes and the entry holding it. */
    private static final int DIGEST_BYTES = 3 * OBJECT_OVERHEAD + 32;

    private final Snapshot snapshot;
    private final Entry.Dir root;
    private final Map<Digest, Listing> directories;
    private final Map<Digest, ChunkList> chunkLists;

    private SnapshotTree(Snapshot snapshot, Map<Digest, Listing> directories, Map<Digest, ChunkList> chunkLists) {
        this.snapshot = snapshot;
        this.root = new Entry.Dir(ROOT_NAME, 0755, 0,
                TimeUnit.SECONDS.toNanos(snapshot.createdAt().getEpochSecond()) + snapshot.createdAt().getNano(),
                snapshot.tree());
        this.directories = Map.copyOf(directories);
        this.chunkLists = Map.copyOf(chunkLists);
    }

    /**
     * Reads every directory and chunk list reachable from the snapshot's tree, one level of the
     * tree per {@link ObjectSource#getAll} call, so a source that fetches does so in few requests.
     */
    static SnapshotTree build(Snapshot snapshot, ObjectSource source) throws IOException {
        Map<Digest, Listing> directories = new HashMap<>();
        Map<Digest, ChunkList> chunkLists = new HashMap<>();
        Set<Digest> dirLevel = new LinkedHashSet<>(List.of(snapshot.tree()));
        Set<Digest> listLevel = new LinkedHashSet<>();
        while (!dirLevel.isEmpty() || !listLevel.isEmpty()) {
            List<Digest> wanted = new ArrayList<>(dirLevel);
            wanted.addAll(listLevel);
            Map<Digest, byte[]> objects = source.getAll(wanted);
            Set<Digest> nextDirs = new LinkedHashSet<>();
            Set<Digest> nextLists = new LinkedHashSet<>();
            for (Digest d : dirLevel) {
                Listing listing = listing(d, objects.get(d));
                directories.put(d, listing);
                for (Entry e : listing.entries()) {
                    if (e instanceof Entry.Dir dir && !directories.containsKey(dir.tree()) && !dirLevel.contains(dir.tree())) {
                        nextDirs.add(dir.tree());
                    } else if (e instanceof Entry.File f && Chunking.isChunked(f.size(), snapshot.chunkSize())
                            && !chunkLists.containsKey(f.content()) && !listLevel.contains(f.content())) {
                        nextLists.add(f.content());
                    }
                }
            }
            for (Digest d : listLevel) {
                chunkLists.put(d, decodeChunkList(d, objects.get(d)));
            }
            dirLevel = nextDirs;
            listLevel = nextLists;
        }
        return new SnapshotTree(snapshot, directories, chunkLists);
    }

    Snapshot snapshot() {
        return snapshot;
    }

    Entry.Dir root() {
        return root;
    }

    /** Directory and chunk-list objects held: what a mount had to read before it was ready. */
    int objectCount() {
        return directories.size() + chunkLists.size();
    }

    /**
     * About how much heap the loaded metadata keeps, so that the memory cache can be given what
     * it leaves ({@link MemoryBudget}). An estimate from the sizes held, not a measurement.
     */
    long heapBytes() {
        long bytes = 0;
        for (Listing listing : directories.values()) {
            bytes += DIGEST_BYTES + listing.heapBytes();
        }
        for (ChunkList list : chunkLists.values()) {
            bytes += DIGEST_BYTES + (long) list.chunks().size() * DIGEST_BYTES;
        }
        return bytes;
    }

    /** The entry at an absolute path as FUSE passes it ({@code "/"}, {@code "/home/a/x"}). */
    Entry lookup(String path) throws IOException {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new NoSuchFileException(path, null, "not an absolute path");
        }
        Entry current = root;
        int start = 1;
        while (start < path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            if (end > start) {
                if (!(current instanceof Entry.Dir dir)) {
                    throw new NotDirectoryException(path);
                }
                current = list(dir).find(path.substring(start, end));
                if (current == null) {
                    throw new NoSuchFileException(path);
                }
            }
            start = end + 1;
        }
        return current;
    }

    Listing list(Entry.Dir dir) throws IOException {
        Listing listing = directories.get(dir.tree());
        if (listing == null) {
            // build() reads everything reachable, so this is a bug, not a missing object.
            throw new IOException("directory " + dir.name() + " (" + dir.tree().hex() + ") was not loaded at mount");
        }
        return listing;
    }

    /** The digests of a file's chunks, in order; one for a file of at most one chunk. */
    List<Digest> chunks(Entry.File file) throws IOException {
        int chunkSize = snapshot.chunkSize();
        if (!Chunking.isChunked(file.size(), chunkSize)) {
            return List.of(file.content());
        }
        ChunkList list = chunkLists.get(file.content());
        if (list == null) {
            throw new IOException("chunk list " + file.content().hex() + " of " + file.name() + " was not loaded at mount");
        }
        int expected = Chunking.chunkCount(file.size(), chunkSize);
        if (list.chunks().size() != expected) {
            throw new ProtocolException("chunk list " + file.content().hex() + " of " + file.name() + " names "
                    + list.chunks().size() + " chunks; a file of " + file.size() + " bytes has " + expected);
        }
        return list.chunks();
    }

    /** Bytes and files the snapshot holds, as its record states, for statfs. */
    long totalBytes() {
        return snapshot.roots().stream().mapToLong(Snapshot.Root::bytes).sum();
    }

    long totalFiles() {
        return snapshot.roots().stream().mapToLong(Snapshot.Root::files).sum();
    }

    private static Listing listing(Digest digest, byte[] raw) throws IOException {
        if (raw == null) {
            throw new IOException("directory object " + digest.hex() + " is missing");
        }
        try {
            return Listing.of(raw);
        } catch (ProtocolException e) {
            throw new ProtocolException("directory object " + digest.hex() + ": " + e.getMessage(), e);
        }
    }

    private static ChunkList decodeChunkList(Digest digest, byte[] raw) throws IOException {
        if (raw == null) {
            throw new IOException("chunk list object " + digest.hex() + " is missing");
        }
        try {
            return ChunkList.decode(raw);
        } catch (ProtocolException e) {
            throw new ProtocolException("chunk list object " + digest.hex() + ": " + e.getMessage(), e);
        }
    }
}
