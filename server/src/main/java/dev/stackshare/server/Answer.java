package dev.stackshare.server;

import java.util.Map;

/** What the API answers, before it becomes Netty objects: a whole body, or a stream of objects. */
sealed interface Answer permits Answer.Full, Answer.Stream {
    int status();

    Map<String, String> headers();

    /** A body known in full. A final class rather than a record, because a record's equals would compare the array by identity. */
    final class Full implements Answer {
        private final int status;
        private final String contentType;
        private final byte[] body;
        private final Map<String, String> headers;

        Full(int status, String contentType, byte[] body, Map<String, String> headers) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
            this.headers = Map.copyOf(headers);
        }

        @Override
        public int status() {
            return status;
        }

        String contentType() {
            return contentType;
        }

        byte[] body() {
            return body;
        }

        @Override
        public Map<String, String> headers() {
            return headers;
        }
    }

    /** A {@link dev.stackshare.protocol.BatchStream} body, sent chunked as its items are read. */
    record Stream(String contentType, Map<String, String> headers, ItemSource items) implements Answer {
        public Stream {
            headers = Map.copyOf(headers);
        }

        @Override
        public int status() {
            return 200;
        }
    }
}
