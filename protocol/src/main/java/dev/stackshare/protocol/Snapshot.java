package dev.stackshare.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The immutable record of one publish: which roots, the digest of the synthetic directory
 * tree that holds each root under its absolute path, and the environment it was taken in.
 */
public record Snapshot(
        String id,
        String view,
        Instant createdAt,
        int chunkSize,
        Digest tree,
        List<Root> roots,
        Map<String, String> environment) {

    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern VIEW = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public Snapshot {
        if (!isId(id)) {
            throw new IllegalArgumentException("not a snapshot id (16 hex digits): " + id);
        }
        if (!isViewName(view)) {
            throw new IllegalArgumentException("not a view name: " + view);
        }
        Chunking.checkChunkSize(chunkSize);
        if (createdAt == null || tree == null) {
            throw new IllegalArgumentException("snapshot " + id + " lacks its time or tree");
        }
        roots = List.copyOf(roots);
        environment = Map.copyOf(environment);
    }

    /** How a root's content is kept stable between publish and read. */
    public enum RootKind {
        /** Copied into the server's frozen store at publish: a git working tree, anything being edited. */
        LIVE,
        /** Read in place and checked against its digest on every read: an installed stack. */
        STABLE
    }

    public record Root(String path, RootKind kind, Digest tree, long files, long bytes) {
        public Root {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("a root is an absolute path, got " + path);
            }
        }
    }

    public static boolean isId(String s) {
        return s != null && ID.matcher(s).matches();
    }

    public static boolean isViewName(String s) {
        return s != null && VIEW.matcher(s).matches();
    }
}
