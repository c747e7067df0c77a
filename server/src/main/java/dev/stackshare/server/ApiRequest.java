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

    record GetSnapshot(String id) implements ApiRequest {
    }

    record GetTree(String id) implements ApiRequest {
    }

    record GetView(String name) implements ApiRequest {
    }

    final class Publish implements ApiRequest {
        private final byte[] body;

        Publish(byte[] body) {
            this.body = body;
        }

        byte[] body() {
            return body;
        }
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
