package dev.stackshare.client;

import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The kernel's node ids for a snapshot's entries. A snapshot never changes, so an id can be a
 * pure function of where the entry is: the entry at index {@code i} of the directory numbered
 * {@code d} is node {@code (d + 1) << 20 | i}, and the root is node 1. Only directories get a
 * number, the first time the kernel looks into them, and keep it. So the table grows with the
 * directories a job reaches, never with its files, and a FORGET has nothing to free: the kernel
 * may keep or drop as many nodes as it likes.
 *
 * <pre>
 *  63            20 19            0
 * +----------------+---------------+
 * | directory + 1  | index in it   |     (a directory holds at most 1,000,000 < 2^20 entries)
 * +----------------+---------------+
 * </pre>
 *
 * A numbered directory keeps only its listing (shared with the tree), where it is (its parent and
 * its index there) and, once one of its subdirectories is numbered, an int per entry for their
 * numbers: some 50 bytes a directory, so a walk of a 100,000-directory stack adds a few MB.
 */
final class SnapshotNodes {
    static final long ROOT = 1;
    private static final int INDEX_BITS = 20;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final int CHUNK_BITS = 12;
    private static final int CHUNK = 1 << CHUNK_BITS;
    /** Room for 4,096 chunks of 4,096 directories: 16 million, far more than a snapshot holds. */
    private static final int CHUNKS = 1 << 12;

    /** A place in the tree: its node id, the directory that holds it (null for the root), and its entry. */
    record Node(long id, Directory parent, Entry entry) {
        /** The path as FUSE paths are written ("/", "/a/b"): made when asked, since listings make many nodes. */
        String path() {
            if (parent == null) {
                return "/";
            }
            String dir = parent.path();
            return dir.equals("/") ? "/" + entry.name() : dir + "/" + entry.name();
        }
    }

    /** A directory the kernel has looked into. */
    static final class Directory {
        private final Directory parent;
        private final int indexInParent;
        private final SnapshotTree.Listing listing;
        /** The numbers of its subdirectories plus one (0: none yet), made when the first is numbered. */
        private volatile int[] childNumbers;

        private Directory(Directory parent, int indexInParent, SnapshotTree.Listing listing) {
            this.parent = parent;
            this.indexInParent = indexInParent;
            this.listing = listing;
        }

        String path() {
            if (parent == null) {
                return "/";
            }
            String name = parent.listing.entry(indexInParent).name();
            String dir = parent.path();
            return dir.equals("/") ? "/" + name : dir + "/" + name;
        }

        private int childNumber(int index) {
            int[] numbers = childNumbers;
            return numbers == null ? -1 : numbers[index] - 1;
        }
    }

    private final SnapshotTree tree;
    private final Node root;
    /** Directories by number, in chunks made as needed; the root's number is 0. */
    private final AtomicReferenceArray<AtomicReferenceArray<Directory>> chunks = new AtomicReferenceArray<>(CHUNKS);
    private int count;

    SnapshotNodes(SnapshotTree tree) throws IOException {
        this.tree = tree;
        this.root = new Node(ROOT, null, tree.root());
        add(new Directory(null, 0, tree.list(tree.root())));
    }

    /** The node with this id; {@link NoSuchFileException} for an id this table never gave out. */
    Node node(long id) throws IOException {
        if (id == ROOT) {
            return root;
        }
        long number = (id >>> INDEX_BITS) - 1;
        int index = (int) (id & INDEX_MASK);
        Directory parent = number < 0 || number > Integer.MAX_VALUE ? null : directory((int) number);
        if (parent == null || index >= parent.listing.size()) {
            throw new NoSuchFileException("node " + id);
        }
        return child(parent, (int) number, index);
    }

    /** The child of a directory node by the exact bytes of its name; null when there is none. */
    Node lookup(long parentId, byte[] name) throws IOException {
        int number = number(parentId);
        Directory parent = directory(number);
        int index = parent.listing.indexOf(name);
        return index < 0 ? null : child(parent, number, index);
    }

    /** How many children a directory node has. */
    int childCount(long directoryId) throws IOException {
        return directory(number(directoryId)).listing.size();
    }

    /** The child at {@code index} of a directory node. */
    Node childAt(long directoryId, int index) throws IOException {
        int number = number(directoryId);
        return child(directory(number), number, index);
    }

    /** The node id of the directory holding node {@code id}: what ".." names. */
    long parentOf(long id) {
        return id == ROOT || id >>> INDEX_BITS == 1 ? ROOT : idOf(directory((int) ((id >>> INDEX_BITS) - 1)));
    }

    /** How many directories have numbers: the whole of this table's memory. */
    synchronized int directoriesKnown() {
        return count;
    }

    /** Subdirectories of a directory, for its link count. */
    int subdirectories(Entry.Dir dir) throws IOException {
        return tree.list(dir).subdirectories();
    }

    private static Node child(Directory parent, int number, int index) {
        return new Node(((long) number + 1) << INDEX_BITS | index, parent, parent.listing.entry(index));
    }

    /** The node id of a numbered directory, from where it is. */
    private long idOf(Directory dir) {
        if (dir.parent == null) {
            return ROOT;
        }
        int parentNumber = numberOf(dir.parent);
        return ((long) parentNumber + 1) << INDEX_BITS | dir.indexInParent;
    }

    private int numberOf(Directory dir) {
        return dir.parent == null ? 0 : dir.parent.childNumber(dir.indexInParent);
    }

    private Directory directory(int number) {
        AtomicReferenceArray<Directory> chunk = number >>> CHUNK_BITS < CHUNKS ? chunks.get(number >>> CHUNK_BITS) : null;
        return chunk == null ? null : chunk.get(number & (CHUNK - 1));
    }

    /** A directory's number, given it one the first time; {@link NotDirectoryException} for anything else. */
    private int number(long id) throws IOException {
        if (id == ROOT) {
            return 0;
        }
        long parentNumber = (id >>> INDEX_BITS) - 1;
        int index = (int) (id & INDEX_MASK);
        Directory parent = parentNumber < 0 || parentNumber > Integer.MAX_VALUE ? null : directory((int) parentNumber);
        if (parent == null || index >= parent.listing.size()) {
            throw new NoSuchFileException("node " + id);
        }
        int known = parent.childNumber(index);
        if (known >= 0) {
            return known;
        }
        if (!(parent.listing.entry(index) instanceof Entry.Dir dir)) {
            throw new NotDirectoryException(child(parent, (int) parentNumber, index).path());
        }
        SnapshotTree.Listing listing = tree.list(dir);
        if (listing.size() > INDEX_MASK + 1) {
            throw new IllegalStateException("a directory of " + listing.size() + " entries cannot be numbered");
        }
        synchronized (this) {
            known = parent.childNumber(index);
            if (known >= 0) {
                return known;
            }
            int number = add(new Directory(parent, index, listing));
            int[] numbers = parent.childNumbers != null ? parent.childNumbers : new int[parent.listing.size()];
            numbers[index] = number + 1;
            parent.childNumbers = numbers; // a volatile write: readers of the array see the number
            return number;
        }
    }

    private synchronized int add(Directory dir) {
        int number = count;
        int c = number >>> CHUNK_BITS;
        if (c >= CHUNKS) {
            throw new IllegalStateException("more than " + (CHUNKS * CHUNK) + " directories looked into");
        }
        AtomicReferenceArray<Directory> chunk = chunks.get(c);
        if (chunk == null) {
            chunk = new AtomicReferenceArray<>(CHUNK);
            chunks.set(c, chunk);
        }
        chunk.set(number & (CHUNK - 1), dir);
        count++;
        return number;
    }
}
