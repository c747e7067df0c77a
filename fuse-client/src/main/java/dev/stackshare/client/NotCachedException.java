package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import java.io.IOException;

/** The disk cache lacks an object and was asked not to fetch it: a cold cache, not an error. */
final class NotCachedException extends IOException {
    private static final long serialVersionUID = 1L;

    NotCachedException(Digest digest) {
        super("object " + digest.shortHex() + " is not in the disk cache");
    }
}
