package dev.stackshare.client.fuse;

/**
 * Bytes from the kernel that do not make a valid request, or an INIT this side cannot agree to.
 * Checked, because the session must decide what to do with it (answer EIO, or give up the mount).
 */
public final class FuseProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public FuseProtocolException(String message) {
        super(message);
    }

    public FuseProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
