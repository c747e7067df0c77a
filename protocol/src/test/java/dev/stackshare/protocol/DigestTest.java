package dev.stackshare.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DigestTest {
    @Test
    void aListIsOneHexDigestAndANewlineEachInItsOrder() throws Exception {
        Digest a = Digest.of("a".getBytes(StandardCharsets.US_ASCII));
        Digest b = Digest.of("b".getBytes(StandardCharsets.US_ASCII));
        String text = new String(Digest.listText(List.of(b, a)), StandardCharsets.US_ASCII);
        assertEquals("3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d\n"
                + "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\n", text);
        assertEquals(a, Digest.parse(text.split("\n")[1]));
        assertArrayEquals(new byte[0], Digest.listText(List.of()));
    }
}
