package dev.stackshare.client;

import java.net.Socket;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The SHA-256 fingerprint of the certificate a server must present. It travels in the server
 * URL's fragment, {@code https://host:port/#sha256=HEX}, which {@code stackshare serve --tls}
 * prints: a fragment is never sent on the wire. A pinned server is trusted by that fingerprint
 * alone (no CA, no host name check: a self-signed certificate has neither), and any other
 * certificate is refused during the handshake.
 *
 * @param hex 64 lowercase hex digits
 */
public record TlsPin(String hex) {
    public static final String FRAGMENT_PREFIX = "sha256=";
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public TlsPin {
        hex = hex == null ? null : hex.strip().toLowerCase(Locale.ROOT).replace(":", "");
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("a TLS pin is sha256= and 64 hex digits (colons allowed), got '"
                    + (hex == null ? "" : hex) + "'");
        }
    }

    /** Accepts {@code HEX}, {@code sha256=HEX} or {@code sha256:HEX}, colons between bytes allowed. */
    public static TlsPin parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.regionMatches(true, 0, "sha256", 0, 6) && s.length() > 6 && (s.charAt(6) == '=' || s.charAt(6) == ':')) {
            s = s.substring(7);
        }
        return new TlsPin(s);
    }

    /** The pin in a URL's fragment, or null when it has none. */
    public static TlsPin of(URI url) {
        String fragment = url.getFragment();
        if (fragment == null || fragment.isEmpty()) {
            return null;
        }
        if (!fragment.startsWith(FRAGMENT_PREFIX)) {
            throw new IllegalArgumentException("the URL's #" + fragment + " is not a TLS pin; it looks like #sha256=HEX");
        }
        return parse(fragment);
    }

    /** The URL with this pin as its fragment (replacing any there). */
    public URI in(URI url) {
        String base = withoutFragment(url).toString();
        return URI.create(base + (url.getPath() == null || url.getPath().isEmpty() ? "/" : "") + "#" + FRAGMENT_PREFIX + hex);
    }

    public static URI withoutFragment(URI url) {
        String s = url.toString();
        int hash = s.indexOf('#');
        return hash < 0 ? url : URI.create(s.substring(0, hash));
    }

    /** SHA-256 of a certificate's DER encoding, as hex. */
    static String fingerprint(X509Certificate certificate) throws CertificateException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new CertificateException("cannot hash the server's certificate", e);
        }
    }

    /** A TLS context that trusts exactly this certificate. */
    SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new PinningTrustManager(this)}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make a TLS context", e);
        }
    }

    /** Thrown in the handshake when the server's certificate is not the pinned one. */
    static final class Mismatch extends CertificateException {
        private static final long serialVersionUID = 1L;
        private final String presented;

        Mismatch(String presented, TlsPin expected) {
            super("the server presented certificate sha256=" + presented + ", not the pinned sha256=" + expected.hex());
            this.presented = presented;
        }

        String presented() {
            return presented;
        }
    }

    /**
     * Checks the leaf certificate against the pin and nothing else: an extended trust manager is
     * used by the JDK as it is, so no CA path or host name check is added behind it.
     */
    private static final class PinningTrustManager extends X509ExtendedTrustManager {
        private final TlsPin pin;

        PinningTrustManager(TlsPin pin) {
            this.pin = pin;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server presented no certificate");
            }
            String presented = fingerprint(chain[0]);
            // Not secret, but there is no reason to say how much of it matched.
            if (!MessageDigest.isEqual(presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    pin.hex().getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                throw new Mismatch(presented, pin);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a stackshare client does not accept connections");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a stackshare client does not accept connections");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a stackshare client does not accept connections");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
