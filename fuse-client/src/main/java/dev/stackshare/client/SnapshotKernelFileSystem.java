package dev.stackshare.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stackshare.client.fuse.Attr;
import dev.stackshare.client.fuse.DirectoryListing;
import dev.stackshare.client.fuse.EntryOut;
import dev.stackshare.client.fuse.Errno;
import dev.stackshare.client.fuse.FuseException;
import dev.stackshare.client.fuse.ReadOnlyFilesystem;
import dev.stackshare.client.fuse.StatfsOut;
import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The FUSE adapter for our own kernel session: a read-only view of one {@link SnapshotTree},
 * by node ids ({@link SnapshotNodes}). Every operation has the same shape: ask the tree or the
 * reader, which speak {@link IOException}, and turn the outcome into errno here and only here
 * ({@link FuseErrors}). Called concurrently from the session's threads, which count the
 * requests themselves.
 */
final class SnapshotKernelFileSystem implements ReadOnlyFilesystem {
    /** Snapshots never change: the kernel may keep names, misses and attributes this long. */
    static final Duration VALID = Duration.ofHours(1);
    private static final int BLOCK_SIZE = 4096;
    /** The largest read the session negotiates (1 MiB): a good I/O size hint for readers. */
    private static final int IO_SIZE = 1024 * 1024;
    private static final int NAME_MAX = 255;
    /** Files whose read state is kept: more than a job reads at once, a few hundred KB of heap. */
    private static final int READ_STATE_FILES = 4096;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int DT_DIR = 4;
    private static final int DT_REG = 8;
    private static final int DT_LNK = 10;
    /** Offsets in a listing: "." is 1, ".." is 2, the entry at index i is i + 3; 0 asks for the start. */
    private static final int FIRST_ENTRY_OFFSET = 3;

    private final SnapshotTree tree;
    private final SnapshotNodes nodes;
    private final FileReader reader;
    private final Owner owner;
    /** Told of each file's first read, to fetch the directory's small files in one batch; null for none. */
    private final DirectoryBatcher batcher;
    /** The files being read, by node: where each read stopped and what was read ahead. */
    private final Cache<Long, ReadState> reading = Caffeine.newBuilder().maximumSize(READ_STATE_FILES).build();

    SnapshotKernelFileSystem(SnapshotTree tree, FileReader reader, Owner owner, DirectoryBatcher batcher) throws IOException {
        this.tree = tree;
        this.nodes = new SnapshotNodes(tree);
        this.reader = reader;
        this.owner = owner;
        this.batcher = batcher;
    }

    @Override
    public EntryOut lookup(long parent, byte[] name) throws FuseException {
        try {
            SnapshotNodes.Node child = nodes.lookup(parent, name);
            return child == null ? null : entryOut(child);
        } catch (IOException | RuntimeException e) {
            throw fail("lookup", parent, e);
        }
    }

    @Override
    public Attr getattr(long node) throws FuseException {
        try {
            return attr(nodes.node(node));
        } catch (IOException | RuntimeException e) {
            throw fail("getattr", node, e);
        }
    }

    @Override
    public byte[] readlink(long node) throws FuseException {
        try {
            if (!(nodes.node(node).entry() instanceof Entry.Symlink link)) {
                throw new FuseException(Errno.EINVAL);
            }
            return link.target().getBytes(StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw fail("readlink", node, e);
        }
    }

    @Override
    public int read(long node, long offset, int size, ByteBuffer data) throws FuseException {
        try {
            ReadState file = reading.getIfPresent(node);
            if (file == null) {
                file = firstRead(node);
            }
            int base = data.position();
            return reader.read(file, offset, size, (at, src, from, n) -> data.put(base + (int) at, src, from, n));
        } catch (IOException | RuntimeException e) {
            throw fail("read", node, e);
        }
    }

    /** A file's first read on this mount (or since its state was evicted): the cue for the directory's batch. */
    private ReadState firstRead(long node) throws IOException, FuseException {
        SnapshotNodes.Node n = nodes.node(node);
        if (!(n.entry() instanceof Entry.File entry)) {
            throw new FuseException(Errno.EISDIR);
        }
        ReadState file = new ReadState(n.path(), entry, tree.chunks(entry));
        ReadState raced = reading.asMap().putIfAbsent(node, file);
        if (raced != null) {
            return raced;
        }
        if (batcher != null) {
            batcher.firstRead(n.path(), entry);
        }
        return file;
    }

    @Override
    public void readdir(long node, long offset, DirectoryListing listing) throws FuseException {
        try {
            int count = nodes.childCount(node);
            long next = offset;
            if (next < 1 && !dot(listing, node, ".", 1)) {
                return;
            }
            if (next < 2 && !dot(listing, nodes.parentOf(node), "..", 2)) {
                return;
            }
            for (int i = (int) Math.max(0, next - FIRST_ENTRY_OFFSET); i < count; i++) {
                SnapshotNodes.Node child = nodes.childAt(node, i);
                byte[] name = child.entry().name().getBytes(StandardCharsets.UTF_8);
                long after = (long) i + FIRST_ENTRY_OFFSET + 1;
                boolean added = listing.plus()
                        ? listing.add(entryOut(child), name, type(child.entry()), after)
                        : listing.add(child.id(), name, type(child.entry()), after);
                if (!added) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw fail("readdir", node, e);
        }
    }

    /** "." and "..": in a READDIRPLUS without an entry of their own, since the kernel links neither. */
    private static boolean dot(DirectoryListing listing, long node, String name, long offset) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        return listing.plus()
                ? listing.add(new EntryOut(0, 0, 0, 0, Attr.NONE), bytes, DT_DIR, offset)
                : listing.add(node, bytes, DT_DIR, offset);
    }

    @Override
    public StatfsOut statfs() {
        return new StatfsOut((tree.totalBytes() + BLOCK_SIZE - 1) / BLOCK_SIZE, 0, 0, tree.totalFiles(), 0, BLOCK_SIZE,
                NAME_MAX, BLOCK_SIZE);
    }

    /** Files whose read state this mount keeps, for tests. */
    long filesBeingRead() {
        reading.cleanUp();
        return reading.estimatedSize();
    }

    /** Directories given node numbers: all of the node table's memory, for tests. */
    int directoriesKnown() {
        return nodes.directoriesKnown();
    }

    private EntryOut entryOut(SnapshotNodes.Node node) throws IOException {
        return new EntryOut(node.id(), 0, VALID.toNanos(), VALID.toNanos(), attr(node));
    }

    private Attr attr(SnapshotNodes.Node node) throws IOException {
        Entry entry = node.entry();
        int type;
        int links = 1;
        if (entry instanceof Entry.Dir dir) {
            type = S_IFDIR;
            links = 2 + nodes.subdirectories(dir);
        } else if (entry instanceof Entry.Symlink) {
            type = S_IFLNK;
        } else {
            type = S_IFREG;
        }
        long seconds = Math.floorDiv(entry.mtimeNanos(), 1_000_000_000L);
        int nanos = (int) Math.floorMod(entry.mtimeNanos(), 1_000_000_000L);
        return new Attr(node.id(), entry.size(), (entry.size() + 511) / 512, seconds, nanos, seconds, nanos, seconds, nanos,
                type | entry.mode(), links, (int) owner.uid(), (int) owner.gid(), 0, IO_SIZE);
    }

    private static int type(Entry entry) {
        return entry instanceof Entry.Dir ? DT_DIR : entry instanceof Entry.Symlink ? DT_LNK : DT_REG;
    }

    private FuseException fail(String operation, long node, Exception e) {
        return new FuseException(FuseErrors.errno(operation, describe(node), e));
    }

    /** A node's path for a log line. */
    private String describe(long node) {
        try {
            return nodes.node(node).path();
        } catch (IOException | RuntimeException e) {
            return "node " + node;
        }
    }
}
