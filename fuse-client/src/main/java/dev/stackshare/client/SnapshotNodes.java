package dev.stackshare.client;

import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.ConcurrentHashMap;

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
 */
final class SnapshotNodes {
    static final long ROOT = 1;
    private static final int INDEX_BITS = 20;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

    /** A place in the tree: its node id, its path as FUSE paths are written, and its entry. */
    record Node(long id, String path, Entry entry) {
    }

    /** A directory the kernel has looked into: its node, and its listing. */
    private record Place(Node node, SnapshotTree.Listing listing) {
    }

    private final SnapshotTree tree;
    /** Directory numbers, in the order they were first reached; the root's is 0. */
    private final ConcurrentHashMap<Integer, Place> directories = new ConcurrentHashMap<>();
    /** A directory's node id to its number. */
    private final ConcurrentHashMap<Long, Integer> numbers = new ConcurrentHashMap<>();

    SnapshotNodes(SnapshotTree tree) throws IOException {
        this.tree = tree;
        Node root = new Node(ROOT, "/", tree.root());
        directories.put(0, new Place(root, tree.list(tree.root())));
        numbers.put(ROOT, 0);
    }

    /** The node with this id; {@link NoSuchFileException} for an id this table never gave out. */
    Node node(long id) throws IOException {
        if (id == ROOT) {
            return directories.get(0).node();
        }
        long number = (id >>> INDEX_BITS) - 1;
        int index = (int) (id & INDEX_MASK);
        Place parent = number < 0 || number > Integer.MAX_VALUE ? null : directories.get((int) number);
        if (parent == null || index >= parent.listing().size()) {
            throw new NoSuchFileException("node " + id);
        }
        return child(parent, (int) number, index);
    }

    /** The child of a directory node by the exact bytes of its name; null when there is none. */
    Node lookup(long parentId, byte[] name) throws IOException {
        int number = number(parentId);
        Place parent = directories.get(number);
        int index = parent.listing().indexOf(name);
        return index < 0 ? null : child(parent, number, index);
    }

    /** How many children a directory node has. */
    int childCount(long directoryId) throws IOException {
        return directories.get(number(directoryId)).listing().size();
    }

    /** The child at {@code index} of a directory node. */
    Node childAt(long directoryId, int index) throws IOException {
        int number = number(directoryId);
        return child(directories.get(number), number, index);
    }

    /** The node id of the directory holding node {@code id}: what ".." names. */
    long parentOf(long id) {
        return id == ROOT ? ROOT : directories.get((int) ((id >>> INDEX_BITS) - 1)).node().id();
    }

    /** How many directories have numbers: the whole of this table's memory. */
    int directoriesKnown() {
        return directories.size();
    }

    /** Subdirectories of a directory, for its link count. */
    int subdirectories(Entry.Dir dir) throws IOException {
        return tree.list(dir).subdirectories();
    }

    private Node child(Place parent, int number, int index) {
        Entry entry = parent.listing().entry(index);
        String path = parent.node().path().equals("/") ? "/" + entry.name() : parent.node().path() + "/" + entry.name();
        return new Node(((long) number + 1) << INDEX_BITS | index, path, entry);
    }

    /** A directory's number, given it one the first time; {@link NotDirectoryException} for anything else. */
    private int number(long id) throws IOException {
        Integer known = numbers.get(id);
        if (known != null) {
            return known;
        }
        Node node = node(id);
        if (!(node.entry() instanceof Entry.Dir dir)) {
            throw new NotDirectoryException(node.path());
        }
        SnapshotTree.Listing listing = tree.list(dir);
        synchronized (directories) {
            Integer raced = numbers.get(id);
            if (raced != null) {
                return raced;
            }
            if (listing.size() > INDEX_MASK + 1) {
                throw new IllegalStateException("a directory of " + listing.size() + " entries cannot be numbered");
            }
            int number = directories.size();
            directories.put(number, new Place(node, listing));
            numbers.put(id, number);
            return number;
        }
    }
}
