package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SnapshotNodesTest {
    private final TestSnapshot objects = new TestSnapshot();
    private SnapshotNodes nodes;

    @BeforeEach
    void setUp() throws IOException {
        Entry.Dir same = objects.dir("same", objects.file("x.py", 0644, "x".getBytes()));
        Entry.Dir a = objects.dir("a", objects.file("f.txt", 0644, "f".getBytes()), same);
        Entry.Dir b = objects.dir("b", objects.dir("same", objects.file("x.py", 0644, "x".getBytes())));
        nodes = new SnapshotNodes(SnapshotTree.build(objects.snapshot("0123456789abcdef", a, b), objects));
    }

    private static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSamePlaceAlwaysHasTheSameIdAndTheIdLeadsBackToIt() throws IOException {
        SnapshotNodes.Node a = nodes.lookup(SnapshotNodes.ROOT, name("a"));
        SnapshotNodes.Node f = nodes.lookup(a.id(), name("f.txt"));
        assertEquals(a.id(), nodes.lookup(SnapshotNodes.ROOT, name("a")).id());
        assertEquals(f, nodes.node(f.id()));
        assertEquals("/a/f.txt", f.path());
        assertEquals(a.id(), nodes.parentOf(f.id()));
        assertEquals(SnapshotNodes.ROOT, nodes.parentOf(a.id()));
    }

    @Test
    void identicalSubtreesInTwoPlacesAreTwoNodesWithTheirOwnPaths() throws IOException {
        SnapshotNodes.Node underA = nodes.lookup(nodes.lookup(SnapshotNodes.ROOT, name("a")).id(), name("same"));
        SnapshotNodes.Node underB = nodes.lookup(nodes.lookup(SnapshotNodes.ROOT, name("b")).id(), name("same"));
        SnapshotNodes.Node x1 = nodes.lookup(underA.id(), name("x.py"));
        SnapshotNodes.Node x2 = nodes.lookup(underB.id(), name("x.py"));
        assertEquals("/a/same/x.py", x1.path());
        assertEquals("/b/same/x.py", x2.path());
        assertEquals(underB.id(), nodes.parentOf(x2.id()));
    }

    @Test
    void onlyDirectoriesLookedIntoTakeRoom() throws IOException {
        long a = nodes.lookup(SnapshotNodes.ROOT, name("a")).id();
        nodes.lookup(a, name("f.txt"));
        nodes.lookup(a, name("f.txt"));
        assertEquals(2, nodes.directoriesKnown(), "the root and a");
    }

    @Test
    void missesAndWrongIdsAreTold() throws IOException {
        assertNull(nodes.lookup(SnapshotNodes.ROOT, name("nope")));
        long f = nodes.lookup(nodes.lookup(SnapshotNodes.ROOT, name("a")).id(), name("f.txt")).id();
        assertThrows(NotDirectoryException.class, () -> nodes.lookup(f, name("x")));
        assertThrows(NoSuchFileException.class, () -> nodes.node(999L << 20));
        assertThrows(NoSuchFileException.class, () -> nodes.node((1L << 20) | 77));
        assertThrows(NoSuchFileException.class, () -> nodes.node(0));
        assertThrows(NoSuchFileException.class, () -> nodes.node(-1));
    }
}
