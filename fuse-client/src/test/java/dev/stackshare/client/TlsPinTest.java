package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TlsPinTest {
    private static final String HEX = "de82b089cd2303aaae69da48f1022fc32be148edc077f577314eb8e5e33b29dc";

    @Test
    void parsesThePinInEveryFormPeopleCopyItIn() {
        String colons = HEX.toUpperCase().replaceAll("(..)(?!$)", "$1:");
        for (String text : java.util.List.of(HEX, "sha256=" + HEX, "sha256:" + HEX, "SHA256:" + colons, " " + HEX + "\n")) {
            assertEquals(HEX, TlsPin.parse(text).hex(), text);
        }
        for (String bad : java.util.List.of("", HEX.substring(1), HEX + "0", "sha1=" + HEX, "g".repeat(64))) {
            assertThrows(IllegalArgumentException.class, () -> TlsPin.parse(bad), bad);
        }
    }

    @Test
    void thePinLivesInTheUrlsFragment() {
        URI url = URI.create("https://devhost:7878/#sha256=" + HEX);
        assertEquals(HEX, TlsPin.of(url).hex());
        assertEquals(URI.create("https://devhost:7878/"), TlsPin.withoutFragment(url));
        assertNull(TlsPin.of(URI.create("https://devhost:7878")));
        assertEquals(url, new TlsPin(HEX).in(URI.create("https://devhost:7878")));
        assertEquals(url, new TlsPin(HEX).in(URI.create("https://devhost:7878/#sha256=" + "0".repeat(64))));
        assertThrows(IllegalArgumentException.class, () -> TlsPin.of(URI.create("https://devhost:7878/#top")));
    }

    @Test
    void aClientNamesItsServerWithoutThePinAndRefusesAPinOnPlainHttp() {
        ServerClient client = new ServerClient(URI.create("https://devhost:7878/#sha256=" + HEX), "t0ken", Duration.ofSeconds(1));
        assertEquals(URI.create("https://devhost:7878"), client.server());
        assertThrows(IllegalArgumentException.class, () -> new ServerClient(
                URI.create("http://devhost:7878/#sha256=" + HEX), "t0ken", Duration.ofSeconds(1)));
    }
}
