package dev.stackshare.client.fuse;

/** A filesystem's answer that is an error: the positive errno the kernel passes on to the caller. */
public final class FuseException extends Exception {
    private final int errno;

    public FuseException(int errno) {
        super(null, null, false, false); // thrown for every missing name: no stack trace to fill
        if (errno <= 0) {
            throw new IllegalArgumentException("an errno is positive, got " + errno);
        }
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    @Override
    public String getMessage() {
        return "errno " + errno;
    }
}
