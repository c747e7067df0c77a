package dev.stackshare.server;

import dev.stackshare.protocol.Digest;

/** A request the router understood: every field is already checked, so no handler parses input. */
sealed interface ApiRequest {
    record GetObject(Digest digest, String ifNoneMatch) implements ApiRequest {
    }

    /** The body is parsed on a blocking thread; it may name up to 100,000 digests. */
    final class Batch implements ApiRequest {
        private final byte[] body;

        Batch(byte[] body) {
            this.body = body;
        }

        byte[] body() {
            return body;
        }
    }

    record GetPack(Digest digest, String ifNoneMatch) implements ApiRequest {
    }

    /** A directory's small files ({@link dev.stackshare.protocol.SmallFiles}); chunkSize is checked. */
    record GetDirFiles(Digest directory, int chunkSize, String ifNoneMatch) implements ApiRequest {
    }

    record GetSnapshot(String id) implements ApiRequest {
    }

    record GetTree(String id) implements ApiRequest {
    }

    record GetView(String name) implements ApiRequest {
    }

    record GetTrace(String id) implements ApiRequest {
    }

    /** A job's trace for the snapshot: hex digests one a line, parsed on a blocking thread. */
    final class PutTrace implements ApiRequest {
        private final String id;
        private final byte[] body;

        PutTrace(String id, byte[] body) {
            this.id = id;
            this.body = body;
        }

        String id() {
            return id;
        }

        byte[] body() {
            return body;
        }
    }

    final class Publish implements ApiRequest {
        private final byte[] body;
        private final boolean follow;

        Publish(byte[] body) {
            this(body, false);
        }

        /** @param follow the client asked for progress events ({@link dev.stackshare.protocol.Api#EVENTS_CONTENT_TYPE}) */
        Publish(byte[] body, boolean follow) {
            this.body = body;
            this.follow = follow;
        }

        byte[] body() {
            return body;
        }

        boolean follow() {
            return follow;
        }
    }

    record Metrics() implements ApiRequest {
    }

    record Stats() implements ApiRequest {
    }

    record ListSnapshots() implements ApiRequest {
    }

    final class Gc implements ApiRequest {
        private final byte[] body;

        Gc(byte[] body) {
            this.body = body;
        }

        byte[] body() {
            return body;
        }
    }
}
