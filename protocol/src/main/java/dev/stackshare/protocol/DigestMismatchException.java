package dev.stackshare.protocol;

/** An object whose bytes do not hash to the digest it was asked for: never used, always reported. */
public final class DigestMismatchException extends ProtocolException {
    private static final long serialVersionUID = 1L;
    private final transient Digest expected;

    public DigestMismatchException(Digest expected, Digest actual, String where) {
        super("object " + expected.shortHex() + " from " + where + " hashes to " + actual.shortHex()
                + "; it was dropped");
        this.expected = expected;
    }

    public Digest expected() {
        return expected;
    }
}
