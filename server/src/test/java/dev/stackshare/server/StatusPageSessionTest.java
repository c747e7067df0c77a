package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StatusPageSessionTest {
    private static final String TOKEN = "ab".repeat(32);
    private static final byte[] SECRET = new byte[32];
    private static final Instant NOW = Instant.parse("2026-12-07T08:00:00Z");

    private static StatusPageSession session(String token, byte[] secret, Instant now) {
        return new StatusPageSession(token, secret, Clock.fixed(now, ZoneOffset.UTC), Duration.ofHours(12));
    }

    private static String cookieOf(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void aCookieReadsUntilItExpiresAndThenNoLonger() {
        String cookie = cookieOf(session(TOKEN, SECRET, NOW).setCookie(false));
        assertTrue(session(TOKEN, SECRET, NOW.plus(Duration.ofHours(11))).accepts(cookie));
        assertFalse(session(TOKEN, SECRET, NOW.plus(Duration.ofHours(12))).accepts(cookie), "expired");
    }

    @Test
    void theSetCookieSaysHowLongItLasts() {
        String set = session(TOKEN, SECRET, NOW).setCookie(true);
        assertTrue(set.contains("; Max-Age=43200;") && set.endsWith("; Secure"), set);
        assertFalse(set.contains(TOKEN), set);
    }

    @Test
    void aNewTokenOrANewServerRunRefusesTheOldCookie() {
        String cookie = cookieOf(session(TOKEN, SECRET, NOW).setCookie(false));
        assertFalse(session("cd".repeat(32), SECRET, NOW).accepts(cookie), "token rotated");
        byte[] otherRun = SECRET.clone();
        otherRun[0] = 1;
        assertFalse(session(TOKEN, otherRun, NOW).accepts(cookie), "server restarted");
    }

    @Test
    void anExpiryMovedLaterWithTheSameMacIsRefused() {
        String cookie = cookieOf(session(TOKEN, SECRET, NOW).setCookie(false));
        String value = cookie.substring(StatusPageSession.COOKIE.length() + 1);
        long expiry = Long.parseLong(value.substring(0, value.indexOf('.')));
        String forged = StatusPageSession.COOKIE + "=" + (expiry + 86_400) + value.substring(value.indexOf('.'));
        StatusPageSession later = session(TOKEN, SECRET, NOW.plus(Duration.ofHours(13)));
        assertFalse(later.accepts(forged));
        for (String junk : new String[] {"", "x", ".", "1.", ".ab", "99999999999999999999.ab", "-1.ab", "a.b"}) {
            assertFalse(later.accepts(StatusPageSession.COOKIE + "=" + junk), junk);
        }
    }
}
