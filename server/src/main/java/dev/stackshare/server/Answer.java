package dev.stackshare.server;

import java.util.Map;

/** What the API answers, before it becomes Netty objects: a whole body, or a stream of objects. */
sealed interface Answer permits Answer.Full, Answer.Stream, Answer.Events {
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

    /**
     * Lines of newline-delimited JSON sent as they happen: {@link EventSource#tick} about every
     * {@link dev.stackshare.protocol.Api#PROGRESS_INTERVAL_MS} ms while {@link EventSource#run}
     * works, then the line {@code run} returns.
     */
    record Events(String contentType, Map<String, String> headers, EventSource source) implements Answer {
        public Events {
            headers = Map.copyOf(headers);
        }

        @Override
        public int status() {
            return 200;
        }
    }

    /** The work behind an {@link Events} answer. */
    interface EventSource {
        /** Does the work on a blocking thread; returns the last line (the result, or the error). Never throws. */
        byte[] run();

        /** The line to send now about the work in flight, or null for none. Called on the event loop: must not block. */
        byte[] tick();
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
