package dev.stackshare.protocol;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;

/**
 * SHA-256 of an object's uncompressed bytes: the object's only name.
 *
 * <p>Kept as lower-case hex so it is cheap to compare, hash, log and put in a URL.
 */
public record Digest(String hex) implements Comparable<Digest> {
    public static final int BYTES = 32;
    private static final HexFormat HEX_FORMAT = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Digest::newSha256);

    public Digest {
        if (!isHex(hex)) {
            throw new IllegalArgumentException("not a SHA-256 digest (64 lower-case hex digits): " + hex);
        }
    }

    /** Parses user or wire input; throws {@link ProtocolException} rather than an unchecked exception. */
    public static Digest parse(String hex) throws ProtocolException {
        if (!isHex(hex)) {
            throw new ProtocolException("not a SHA-256 digest (64 lower-case hex digits): " + abbreviate(hex));
        }
        return new Digest(hex);
    }

    /** 64 lower-case hex digits; checked without a regex, since every digest made passes here. */
    private static boolean isHex(String hex) {
        if (hex == null || hex.length() != 2 * BYTES) {
            return false;
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    public static Digest of(byte[] data) {
        return of(data, 0, data.length);
    }

    public static Digest of(byte[] data, int offset, int length) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        sha.update(data, offset, length);
        return fromBytes(sha.digest());
    }

    /**
     * A list of digests as the API carries it (batch bodies, traces, pack lists): one hex digest
     * and a newline each, in ASCII. The digest of this text names a pack, on client and server alike.
     */
    public static byte[] listText(Collection<Digest> digests) {
        StringBuilder text = new StringBuilder(digests.size() * (2 * BYTES + 1));
        digests.forEach(d -> text.append(d.hex()).append('\n'));
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static Digest fromBytes(byte[] raw) {
        if (raw.length != BYTES) {
            throw new IllegalArgumentException("a digest has 32 bytes, got " + raw.length);
        }
        return new Digest(HEX_FORMAT.formatHex(raw));
    }

    public byte[] toBytes() {
        return HEX_FORMAT.parseHex(hex);
    }

    /** Puts the 32 raw bytes into {@code out}, as {@code out.put(toBytes())} without the array. */
    public ByteBuffer putInto(ByteBuffer out) {
        for (int i = 0; i < hex.length(); i += 2) {
            out.put((byte) HexFormat.fromHexDigits(hex, i, i + 2));
        }
        return out;
    }

    /** Whether {@code data} hashes to this digest. */
    public boolean matches(byte[] data) {
        return equals(of(data));
    }

    /** First 12 hex digits, for logs and messages. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    /** A fresh SHA-256 instance, for callers that hash streams of their own. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public int compareTo(Digest other) {
        return hex.compareTo(other.hex);
    }

    @Override
    public String toString() {
        return hex;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
