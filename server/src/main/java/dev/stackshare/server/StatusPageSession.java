package dev.stackshare.server;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The status page's login: a browser posts the token once to {@code /login} and gets a cookie
 * that lets it read (GET) the page and the API it polls, until the cookie expires.
 *
 * <p>The cookie is {@code EXPIRY.MAC}: its expiry in epoch seconds and an HMAC of that expiry
 * under a key made of the token and a secret drawn when the server starts. So it is not the
 * token; it stops working when it expires, when the token is rotated, and when the server
 * restarts; and the server keeps no state per browser. {@code HttpOnly}, {@code SameSite=Strict}:
 * page scripts cannot read it and other sites cannot send it; and it never authorises a write.
 * One instance serves every connection of a server.
 */
final class StatusPageSession {
    static final String COOKIE = "stackshare_session";
    /** Set by {@link AuthHandler} on a request it has authorised (and stripped from every incoming one). */
    static final String AUTHENTICATED_HEADER = "x-stackshare-authenticated";
    static final String PAGE = "/";
    static final String LOGIN = "/login";
    /** A working day: a page left open all day keeps working, a cookie copied from a browser does not last. */
    static final Duration LIFETIME = Duration.ofHours(12);

    private final byte[] token;
    private final SecretKeySpec key;
    private final Clock clock;
    private final Duration lifetime;

    /** A session for one server run: a new start secret, the system clock, {@link #LIFETIME}. */
    StatusPageSession(String token) {
        this(token, startSecret(), Clock.systemUTC(), LIFETIME);
    }

    StatusPageSession(String token, byte[] startSecret, Clock clock, Duration lifetime) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        byte[] keyBytes = new byte[this.token.length + startSecret.length];
        System.arraycopy(this.token, 0, keyBytes, 0, this.token.length);
        System.arraycopy(startSecret, 0, keyBytes, this.token.length, startSecret.length);
        this.key = new SecretKeySpec(keyBytes, "HmacSHA256");
        this.clock = clock;
        this.lifetime = lifetime;
    }

    private static byte[] startSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    /** The two requests anyone may make: the page (a login form until logged in) and the login itself. */
    static boolean isOpen(HttpRequest request) {
        String path = request.uri();
        return (request.method() == HttpMethod.GET && path.equals(PAGE))
                || (request.method() == HttpMethod.POST && path.equals(LOGIN));
    }

    /** Whether a {@code Cookie} header carries an unexpired session cookie of this server run. */
    boolean accepts(String cookieHeader) {
        if (cookieHeader == null) {
            return false;
        }
        for (String pair : cookieHeader.split(";")) {
            String p = pair.strip();
            if (p.startsWith(COOKIE + "=") && valid(p.substring(COOKIE.length() + 1))) {
                return true;
            }
        }
        return false;
    }

    private boolean valid(String value) {
        int dot = value.indexOf('.');
        if (dot <= 0 || dot > 19) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(value.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        // Constant time in the MAC: the time says nothing of how much of it matched.
        boolean signed = MessageDigest.isEqual(mac(expiry).getBytes(StandardCharsets.US_ASCII),
                value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
        return signed && clock.instant().getEpochSecond() < expiry;
    }

    private String mac(long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(("stackshare status page until " + expiry)
                    .getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Whether a login form's token is the server's; compared as SHA-256 digests, so neither content nor length shows. */
    boolean tokenMatches(String given) {
        return given != null && MessageDigest.isEqual(sha256(token), sha256(given.strip().getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The {@code Set-Cookie} value after a good login; {@code Secure} when the page is served over TLS. */
    String setCookie(boolean tls) {
        long expiry = clock.instant().plus(lifetime).getEpochSecond();
        return COOKIE + "=" + expiry + "." + mac(expiry) + "; Path=/; Max-Age=" + lifetime.toSeconds()
                + "; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : "");
    }
}
