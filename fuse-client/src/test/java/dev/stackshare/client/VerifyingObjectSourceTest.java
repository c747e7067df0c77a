package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifyingObjectSourceTest {
    private final byte[] good = {1, 2, 3};
    private final Digest digest = Digest.of(good);

    @Test
    void passesBytesThatMatch() throws IOException {
        assertArrayEquals(good, new VerifyingObjectSource(d -> good, "test").get(digest));
    }

    @Test
    void rejectsBytesThatDoNotMatch() {
        VerifyingObjectSource source = new VerifyingObjectSource(d -> new byte[] {1, 2, 4}, "http://h:7878");
        DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> source.get(digest));
        assertEquals(digest, e.expected());
        assertTrue(e.getMessage().contains("http://h:7878"), e.getMessage());
    }

    @Test
    void getAllChecksEveryObject() {
        byte[] other = {7};
        ObjectSource lying = new ObjectSource() {
            @Override
            public byte[] get(Digest d) {
                return d.equals(digest) ? good : new byte[] {8};
            }
        };
        VerifyingObjectSource source = new VerifyingObjectSource(lying, "test");
        assertThrows(DigestMismatchException.class, () -> source.getAll(List.of(digest, Digest.of(other))));
    }

    @Test
    void getAllRefusesAnAnswerThatLacksAnObject() {
        ObjectSource partial = new ObjectSource() {
            @Override
            public byte[] get(Digest d) {
                return good;
            }

            @Override
            public Map<Digest, byte[]> getAll(java.util.Collection<Digest> digests) {
                return Map.of(digest, good);
            }

            @Override
            public void getEach(java.util.Collection<Digest> digests, Sink sink) throws IOException {
                sink.accept(digest, good);
            }
        };
        assertThrows(IOException.class,
                () -> new VerifyingObjectSource(partial, "test").getAll(List.of(digest, Digest.of(new byte[] {5}))));
    }
}
