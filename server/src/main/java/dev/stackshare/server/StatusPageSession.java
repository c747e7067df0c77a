package dev.stackshare.server;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The status page's login: a browser posts the token once to {@code /login} and gets a cookie
 * that lets it read (GET) the page and the API it polls. The cookie is an HMAC of a fixed label
 * under the token, so it is not the token, changes when the token does, and needs no server
 * state. {@code HttpOnly}, {@code SameSite=Strict}: page scripts cannot read it and other sites
 * cannot send it; and it never authorises a write.
 */
final class StatusPageSession {
    static final String COOKIE = "stackshare_session";
    /** Set by {@link AuthHandler} on a request it has authorised (and stripped from every incoming one). */
    static final String AUTHENTICATED_HEADER = "x-stackshare-authenticated";
    static final String PAGE = "/";
    static final String LOGIN = "/login";

    private final byte[] token;
    private final String value;

    StatusPageSession(String token) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(this.token, "HmacSHA256"));
            this.value = HexFormat.of().formatHex(mac.doFinal("stackshare status page".getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** The two requests anyone may make: the page (a login form until logged in) and the login itself. */
    static boolean isOpen(HttpRequest request) {
        String path = request.uri();
        return (request.method() == HttpMethod.GET && path.equals(PAGE))
                || (request.method() == HttpMethod.POST && path.equals(LOGIN));
    }

    /** Whether a {@code Cookie} header carries this server's session cookie; constant time in its length. */
    boolean accepts(String cookieHeader) {
        if (cookieHeader == null) {
            return false;
        }
        for (String pair : cookieHeader.split(";")) {
            String p = pair.strip();
            if (p.startsWith(COOKIE + "=")
                    && MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII),
                    p.substring(COOKIE.length() + 1).getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
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
        return COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : "");
    }
}
