package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.ProtocolException;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotTreeTest {
    private final TestSnapshot objects = new TestSnapshot();
    private final Entry.File small = objects.file("small.txt", 0644, "hi".getBytes());
    private final Entry.File big = objects.file("big.bin", 0755, TestSnapshot.bytes(2 * TestSnapshot.CHUNK_SIZE + 1, 1));
    private final Entry.Symlink link = new Entry.Symlink("link", TestSnapshot.MTIME, "small.txt");
    private final Entry.Dir lib = objects.dir("lib", objects.dir("python"), objects.dir("empty"));
    private final Snapshot snapshot = objects.snapshot("0123456789abcdef",
            objects.dir("home", objects.dir("a", objects.dir("stack", small, big, link, lib))));

    @Test
    void looksUpPathsUnderTheSyntheticRoot() throws IOException {
        SnapshotTree tree = SnapshotTree.build(snapshot, objects);

        assertSame(tree.root(), tree.lookup("/"));
        assertEquals(small, tree.lookup("/home/a/stack/small.txt"));
        assertEquals(link, tree.lookup("/home/a/stack/link"));
        assertEquals(lib, tree.lookup("/home/a/stack/lib"));
        assertEquals(lib, tree.lookup("/home/a/stack/lib/"));
        assertInstanceOf(Entry.Dir.class, tree.lookup("/home/a"));
    }

    @Test
    void missingNamesAreNoSuchFile() throws IOException {
        SnapshotTree tree = SnapshotTree.build(snapshot, objects);
        assertThrows(NoSuchFileException.class, () -> tree.lookup("/home/b"));
        assertThrows(NoSuchFileException.class, () -> tree.lookup("/home/a/stack/lib/python/__init__.py"));
        assertThrows(NotDirectoryException.class, () -> tree.lookup("/home/a/stack/small.txt/x"));
    }

    @Test
    void listsInNameOrderAndCountsSubdirectories() throws IOException {
        SnapshotTree tree = SnapshotTree.build(snapshot, objects);
        SnapshotTree.Listing listing = tree.list((Entry.Dir) tree.lookup("/home/a/stack"));
        assertEquals(List.of("big.bin", "lib", "link", "small.txt"), listing.entries().stream().map(Entry::name).toList());
        assertEquals(1, listing.subdirectories());
        assertEquals(2, tree.list(lib).subdirectories());
    }

    @Test
    void identicalSubtreesAreHeldOnce() throws IOException {
        SnapshotTree tree = SnapshotTree.build(snapshot, objects);
        // "python" and "empty" are both the empty directory: one object.
        assertEquals(objects.metadata.size(), tree.objectCount());
    }

    @Test
    void chunksOfSmallAndBigFiles() throws IOException {
        SnapshotTree tree = SnapshotTree.build(snapshot, objects);
        assertEquals(List.of(small.content()), tree.chunks(small));
        assertEquals(3, tree.chunks(big).size());
    }

    @Test
    void readsOneLevelPerBatch() throws IOException {
        List<Integer> batches = new java.util.ArrayList<>();
        ObjectSource counting = new ObjectSource() {
            @Override
            public byte[] get(Digest digest) throws IOException {
                return objects.get(digest);
            }

            @Override
            public java.util.Map<Digest, byte[]> getAll(java.util.Collection<Digest> digests) throws IOException {
                batches.add(digests.size());
                return ObjectSource.super.getAll(digests);
            }
        };
        SnapshotTree.build(snapshot, counting);
        // top, home, a, stack, {lib + big's chunk list}, {empty dir}
        assertEquals(List.of(1, 1, 1, 1, 2, 1), batches);
    }

    @Test
    void aChunkListOfTheWrongLengthIsReported() throws IOException {
        Digest list = objects.put(new ChunkList(List.of(Digest.of(new byte[] {1}))).encode());
        Entry.File liar = new Entry.File("liar", 0644, 3L * TestSnapshot.CHUNK_SIZE, TestSnapshot.MTIME, list);
        SnapshotTree tree = SnapshotTree.build(objects.snapshot("0123456789abcdee", liar), objects);
        assertThrows(ProtocolException.class, () -> tree.chunks(liar));
    }

    @Test
    void aCorruptDirectoryObjectFailsTheBuild() {
        Digest bogus = objects.put(new byte[] {1, 2, 3, 4, 5});
        Entry.Dir broken = new Entry.Dir("broken", 0755, 0, 0, bogus);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> SnapshotTree.build(objects.snapshot("0123456789abcded", broken), objects));
        assertEquals(true, e.getMessage().contains(bogus.hex()));
    }
}
