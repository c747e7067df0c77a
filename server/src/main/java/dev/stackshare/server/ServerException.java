package dev.stackshare.server;

import java.io.IOException;

/**
 * A problem the person running the server can fix. The message is one line that says what is
 * wrong and what to do; the CLI prints it as it is.
 */
public class ServerException extends IOException {
    private static final long serialVersionUID = 1L;

    public ServerException(String message) {
        super(message);
    }

    public ServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
