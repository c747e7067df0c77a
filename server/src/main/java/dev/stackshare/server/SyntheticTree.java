package dev.stackshare.server;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The snapshot's top tree: each root's tree placed under the root's absolute path, with the
 * directories on the way (/home, /home/alice) made from the real directories' stat, so the
 * mount shows {@code /home/alice/stack} where the host has it.
 */
final class SyntheticTree {
    private SyntheticTree() {
    }

    /** One scanned root: where it goes and the digest of its own tree. */
    record Placed(Path path, Digest tree) {
    }

    /** A directory of the synthetic tree; {@code tree} is set where a root sits. */
    private static final class Node {
        final Path path;
        final Map<String, Node> children = new TreeMap<>();
        Digest tree;

        Node(Path path) {
            this.path = path;
        }
    }

    /** Builds and stores the synthetic directories; returns the top tree's digest. */
    static Digest build(List<Placed> roots, FrozenStore store) throws IOException {
        Node top = new Node(Path.of("/"));
        for (Placed p : roots) {
            Node node = top;
            for (Path part : p.path()) {
                String name = part.toString();
                Path at = node.path.resolve(name);
                node = node.children.computeIfAbsent(name, n -> new Node(at));
            }
            node.tree = p.tree();
        }
        return digestOf(top, store);
    }

    private static Digest digestOf(Node node, FrozenStore store) throws IOException {
        if (node.tree != null) {
            return node.tree; // a root: RootSet has made sure nothing lies below it
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Node> child : node.children.entrySet()) {
            Digest tree = digestOf(child.getValue(), store);
            FileStat stat = FileStat.stat(child.getValue().path);
            entries.add(new Entry.Dir(child.getKey(), stat.mode(), stat.size(), stat.mtimeNanos(), tree));
        }
        byte[] encoded = DirectoryCodec.encode(new Directory(entries));
        Digest digest = Digest.of(encoded);
        store.put(digest, encoded);
        return digest;
    }
}
