package dev.stackshare.client;

import java.io.IOException;

/**
 * A failure a person can act on: the message is one line saying what went wrong and what to do.
 * {@link #code()} is stable, for scripts and exit codes: either one of the constants here or the
 * code of the server's error body (for example {@code unknown-snapshot}).
 */
public class ClientException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The server could not be reached: refused, unknown host, connection timed out. */
    public static final String UNREACHABLE = "unreachable";
    /** The connection broke while a request was under way. */
    public static final String NETWORK = "network";
    /** The server took longer than the request timeout to answer. */
    public static final String TIMEOUT = "timeout";
    public static final String UNAUTHORIZED = "unauthorized";
    /** The server's TLS certificate is not the one the URL's {@code #sha256=} pin names. */
    public static final String TLS_PIN_MISMATCH = "tls-pin-mismatch";
    /** The server speaks only HTTPS and was asked over plain HTTP. */
    public static final String TLS_REQUIRED = "tls-required";
    public static final String UNKNOWN_SNAPSHOT = "unknown-snapshot";
    public static final String UNKNOWN_VIEW = "unknown-view";
    public static final String UNKNOWN_OBJECT = "unknown-object";
    /** The server answered something this client cannot use (an unexpected status or body). */
    public static final String BAD_ANSWER = "bad-answer";
    public static final String BAD_NAME = "bad-name";
    public static final String BAD_CACHE_DIR = "bad-cache-dir";
    public static final String BAD_MOUNTPOINT = "bad-mountpoint";
    public static final String ALREADY_MOUNTED = "already-mounted";
    public static final String NOT_MOUNTED = "not-mounted";
    public static final String BUSY = "busy";
    public static final String MOUNT_FAILED = "mount-failed";
    /** This user cannot mount FUSE on this node: no /dev/fuse, no usable setuid fusermount. */
    public static final String FUSE_UNAVAILABLE = "fuse-unavailable";
    public static final String UNMOUNT_FAILED = "unmount-failed";
    public static final String INTERRUPTED = "interrupted";

    private final String code;

    public ClientException(String code, String message) {
        super(message);
        this.code = code;
    }

    public ClientException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Whether the server was not reached at all, so that what is cached locally may still serve. */
    public boolean unreachable() {
        return UNREACHABLE.equals(code) || NETWORK.equals(code) || TIMEOUT.equals(code);
    }
}
