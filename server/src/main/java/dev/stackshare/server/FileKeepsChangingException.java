package dev.stackshare.server;

/**
 * A file that changed on every attempt to read it: something is writing it right now. The
 * scanner leaves it out of the snapshot with a warning rather than record a mix of versions.
 */
final class FileKeepsChangingException extends ServerException {
    private static final long serialVersionUID = 1L;

    FileKeepsChangingException(String message) {
        super(message);
    }
}
