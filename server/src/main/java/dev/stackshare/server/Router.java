package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Lifecycle;
import dev.stackshare.protocol.ProtocolException;
import dev.stackshare.protocol.Snapshot;

/**
 * Maps method and URI to an {@link ApiRequest}. Every name in a path is a digest, a snapshot id
 * or a view name, checked against its exact syntax here, so nothing a client sends ever reaches a
 * file system path; percent-encoding is refused outright since no valid name needs it.
 */
final class Router {
    private static final String SNAPSHOTS_SLASH = Api.SNAPSHOTS + "/";
    private static final int MAX_URI = 2048;

    private Router() {
    }

    static ApiRequest route(String method, String uri, byte[] body, String ifNoneMatch) throws ApiError {
        return route(method, uri, body, ifNoneMatch, null);
    }

    /** @param accept the request's {@code Accept} header, or null */
    static ApiRequest route(String method, String uri, byte[] body, String ifNoneMatch, String accept) throws ApiError {
        String path = pathOf(uri);
        if (path.equals(Api.BATCH)) {
            requireMethod(method, "POST", path);
            return new ApiRequest.Batch(body);
        }
        if (path.startsWith(Api.OBJECTS)) {
            requireMethod(method, "GET", path);
            return new ApiRequest.GetObject(digest(path.substring(Api.OBJECTS.length())), ifNoneMatch);
        }
        if (path.startsWith(Api.PACKS)) {
            requireMethod(method, "GET", path);
            return new ApiRequest.GetPack(digest(path.substring(Api.PACKS.length())), ifNoneMatch);
        }
        if (path.startsWith(Api.DIRS)) {
            requireMethod(method, "GET", path);
            return dirFiles(path.substring(Api.DIRS.length()), ifNoneMatch);
        }
        if (path.equals(Api.SNAPSHOTS)) {
            if (method.equals("GET")) {
                return new ApiRequest.ListSnapshots();
            }
            requireMethod(method, "POST", path);
            return new ApiRequest.Publish(body, accepts(accept, Api.EVENTS_CONTENT_TYPE));
        }
        if (path.equals(Lifecycle.GC)) {
            requireMethod(method, "POST", path);
            return new ApiRequest.Gc(body);
        }
        if (path.startsWith(SNAPSHOTS_SLASH) && path.endsWith(Api.TRACE_SUFFIX)) {
            String id = snapshotId(path.substring(SNAPSHOTS_SLASH.length(), path.length() - Api.TRACE_SUFFIX.length()));
            if (method.equals("PUT")) {
                return new ApiRequest.PutTrace(id, body);
            }
            requireMethod(method, "GET", path);
            return new ApiRequest.GetTrace(id);
        }
        if (path.startsWith(SNAPSHOTS_SLASH)) {
            requireMethod(method, "GET", path);
            String rest = path.substring(SNAPSHOTS_SLASH.length());
            if (rest.endsWith(Api.TREE_SUFFIX)) {
                return new ApiRequest.GetTree(snapshotId(rest.substring(0, rest.length() - Api.TREE_SUFFIX.length())));
            }
            return new ApiRequest.GetSnapshot(snapshotId(rest));
        }
        if (path.startsWith(Api.VIEWS)) {
            requireMethod(method, "GET", path);
            String name = path.substring(Api.VIEWS.length());
            if (!Api.LATEST.equals(name) && !Snapshot.isViewName(name)) {
                throw ApiError.badRequest("bad-view", "not a view name: " + shorten(name));
            }
            return new ApiRequest.GetView(name);
        }
        if (path.equals(Api.METRICS)) {
            requireMethod(method, "GET", path);
            return new ApiRequest.Metrics();
        }
        if (path.equals(Api.STATS)) {
            requireMethod(method, "GET", path);
            return new ApiRequest.Stats();
        }
        throw ApiError.notFound("not-found", "no such endpoint: " + shorten(path) + "; see the API in dev.stackshare.protocol.Api");
    }

    /** Whether an Accept header names {@code type} (parameters such as {@code ;q=1} ignored). */
    static boolean accepts(String accept, String type) {
        if (accept == null) {
            return false;
        }
        for (String part : accept.split(",")) {
            int semicolon = part.indexOf(';');
            String name = (semicolon >= 0 ? part.substring(0, semicolon) : part).strip();
            if (name.equalsIgnoreCase(type)) {
                return true;
            }
        }
        return false;
    }

    private static String pathOf(String uri) throws ApiError {
        if (uri.length() > MAX_URI) {
            throw new ApiError(414, "uri-too-long", "request URI is longer than " + MAX_URI + " characters");
        }
        int query = uri.indexOf('?');
        String path = query >= 0 ? uri.substring(0, query) : uri;
        if (!path.startsWith("/") || path.indexOf('%') >= 0 || path.indexOf('\\') >= 0 || path.contains("//")
                || path.contains("/./") || path.contains("/../") || path.endsWith("/..") || path.endsWith("/.")) {
            throw ApiError.badRequest("bad-path", "malformed request path: " + shorten(path));
        }
        return path;
    }

    private static void requireMethod(String method, String wanted, String path) throws ApiError {
        if (!wanted.equals(method)) {
            throw new ApiError(405, "method-not-allowed", "use " + wanted + " for " + shorten(path));
        }
    }

    private static Digest digest(String hex) throws ApiError {
        try {
            return Digest.parse(hex);
        } catch (ProtocolException e) {
            throw ApiError.badRequest("bad-digest", e.getMessage());
        }
    }

    /** {@code {digest}/files/{chunkSize}}, the part after {@link Api#DIRS}. */
    private static ApiRequest.GetDirFiles dirFiles(String rest, String ifNoneMatch) throws ApiError {
        int split = rest.indexOf(Api.DIR_FILES);
        if (split < 0) {
            throw ApiError.notFound("not-found", "no such endpoint: " + shorten(Api.DIRS + rest)
                    + "; a directory's small files are " + Api.DIRS + "{digest}" + Api.DIR_FILES + "{chunkSize}");
        }
        Digest directory = digest(rest.substring(0, split));
        String size = rest.substring(split + Api.DIR_FILES.length());
        int chunkSize;
        try {
            chunkSize = Integer.parseInt(size);
            Chunking.checkChunkSize(chunkSize);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad-chunk-size", "not a chunk size (a power of two from 4 KiB to 16 MiB): "
                    + shorten(size));
        }
        return new ApiRequest.GetDirFiles(directory, chunkSize, ifNoneMatch);
    }

    private static String snapshotId(String id) throws ApiError {
        if (!Snapshot.isId(id)) {
            throw ApiError.badRequest("bad-snapshot-id", "not a snapshot id (16 hex digits): " + shorten(id));
        }
        return id;
    }

    /** Client input goes back in messages and logs; keep it short. */
    static String shorten(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
