package dev.stackshare.protocol;

import java.io.IOException;

/** Bytes that do not decode as the format says: a corrupt object, a bad frame, a bad request. */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
