package dev.stackshare.bench;

/** A scenario that could not run; its message says which step failed and how. */
public final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(message);
    }
}
