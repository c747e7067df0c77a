package dev.stackshare.server;

import dev.stackshare.protocol.Digest;
import java.io.IOException;

/**
 * A published object of a stable root that can no longer be produced byte-exact: its file was
 * edited, replaced or removed since the snapshot was taken. Answered as HTTP 409, never as bytes.
 */
final class ContentChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    ContentChangedException(Digest digest, String where) {
        super("object " + digest.shortHex() + " changed since it was published (" + where
                + "); publish a new snapshot and use that");
    }
}
