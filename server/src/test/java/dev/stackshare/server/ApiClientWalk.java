package dev.stackshare.server;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.DirectoryCodec;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.Path;

/** Finds entries of a snapshot the way a client does: directory objects fetched over HTTP. */
final class ApiClientWalk {
    private ApiClientWalk() {
    }

    /** The entry at an absolute host path. */
    static Entry entry(ApiClient client, Snapshot s, Path path) throws IOException {
        Digest tree = s.tree();
        Entry found = null;
        for (Path part : path) {
            Directory dir = DirectoryCodec.decode(client.object(tree));
            found = dir.entries().stream().filter(e -> e.name().equals(part.toString())).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + part + " on the way to " + path));
            if (found instanceof Entry.Dir d) {
                tree = d.tree();
            }
        }
        return found;
    }
}
