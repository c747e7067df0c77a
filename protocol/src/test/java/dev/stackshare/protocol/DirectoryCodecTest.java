package dev.stackshare.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DirectoryCodecTest {
    private static final Digest A = Digest.of("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.of("b".getBytes(StandardCharsets.UTF_8));

    private static Directory sample() {
        return new Directory(List.of(
                new Entry.Symlink("link to ..", 5L, "../outside/target"),
                new Entry.File("zero", 0644, 0, 1_700_000_000_123_456_789L, Digest.of(new byte[0])),
                new Entry.File("bin with space", 0755, 12, 7L, A),
                new Entry.Dir("données", 0700, 4096, 9L, B),
                new Entry.Symlink("dangling", 5L, "/nowhere/at/all")));
    }

    @Test
    void roundTripKeepsEveryField() throws Exception {
        Directory dir = sample();
        assertEquals(dir, DirectoryCodec.decode(DirectoryCodec.encode(dir)));
    }

    @Test
    void encodingIsCanonicalWhateverTheInputOrder() {
        List<Entry> entries = new java.util.ArrayList<>(sample().entries());
        java.util.Collections.reverse(entries);
        Directory reversed = new Directory(entries);
        assertArrayEquals(DirectoryCodec.encode(sample()), DirectoryCodec.encode(reversed));
    }

    @Test
    void namesSortByUtf8BytesNotByUtf16() {
        // U+FFFD sorts after U+1F600 in UTF-16 but before it in UTF-8.
        Directory dir = new Directory(List.of(
                new Entry.File("\uD83D\uDE00", 0644, 1, 1, A),
                new Entry.File("\uFFFD", 0644, 1, 1, A)));
        assertEquals("\uFFFD", dir.entries().get(0).name());
    }

    @Test
    void aRealReplacementCharacterInANameOrTargetRoundTripsAsItsUtf8Bytes() throws Exception {
        Directory dir = new Directory(List.of(
                new Entry.File("a\uFFFDb", 0644, 1, 1, A),
                new Entry.Symlink("l", 1, "x\uFFFD/y")));
        byte[] encoded = DirectoryCodec.encode(dir);
        String latin1 = new String(encoded, StandardCharsets.ISO_8859_1);
        assertEquals(2, latin1.split("\u00EF\u00BF\u00BD", -1).length - 1, "each stored as EF BF BD");
        assertEquals(dir, DirectoryCodec.decode(encoded));
    }

    @Test
    void duplicateNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Directory(List.of(
                new Entry.File("x", 0644, 1, 1, A), new Entry.Dir("x", 0755, 1, 1, B))));
    }

    @Test
    void badNamesAreRefused() {
        for (String bad : new String[] {"", ".", "..", "a/b", "nul\0"}) {
            assertThrows(IllegalArgumentException.class, () -> new Entry.File(bad, 0644, 1, 1, A), bad);
        }
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] good = DirectoryCodec.encode(sample());
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThrows(ProtocolException.class, () -> DirectoryCodec.decode(longer));
    }

    @Test
    void everyTruncationIsAProtocolException() {
        byte[] good = DirectoryCodec.encode(sample());
        for (int n = 0; n < good.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(good, n);
            assertThrows(ProtocolException.class, () -> DirectoryCodec.decode(cut), "length " + n);
        }
    }

    /** Property: garbage decodes to a valid directory or throws ProtocolException, never anything else. */
    @Test
    void randomMutationsEitherDecodeOrThrowProtocolException() {
        byte[] good = DirectoryCodec.encode(sample());
        Random random = new Random(42);
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bad = good.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            }
            try {
                Directory d = DirectoryCodec.decode(bad);
                assertArrayEquals(bad, DirectoryCodec.encode(d), "a decoded object must re-encode to its bytes");
                decoded++;
            } catch (ProtocolException expected) {
                // the only allowed failure
            }
        }
        assertEquals(true, decoded < 20_000, "mutations must be detected at least sometimes");
    }

    @Test
    void entriesDecodeOneByOneAtTheirOffsetsAndNamesCompareInSortOrder() throws ProtocolException {
        Digest x = Digest.of(new byte[] {1});
        Directory dir = new Directory(List.of(new Entry.File("a.txt", 0644, 5, 1, x), new Entry.Symlink("l", 7, "target"),
                new Entry.Dir("sub", 0755, 0, 1, x), new Entry.File("\u00e9t\u00e9.py", 0600, 0, -3, x)));
        byte[] raw = DirectoryCodec.encode(dir);
        int[] offsets = DirectoryCodec.entryOffsets(raw);
        assertEquals(dir.entries().size(), offsets.length);
        for (int i = 0; i < offsets.length; i++) {
            Entry e = dir.entries().get(i);
            assertEquals(e, DirectoryCodec.decodeEntryAt(raw, offsets[i]));
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            assertEquals(0, DirectoryCodec.compareNameAt(raw, offsets[i], name));
            assertEquals(e instanceof Entry.Dir, DirectoryCodec.isDirectoryAt(raw, offsets[i]));
            if (i > 0) {
                assertEquals(1, Integer.signum(DirectoryCodec.compareNameAt(raw, offsets[i], dir.entries().get(i - 1)
                        .name().getBytes(StandardCharsets.UTF_8))));
            }
        }
        assertThrows(ProtocolException.class, () -> DirectoryCodec.entryOffsets(java.util.Arrays.copyOf(raw, raw.length - 1)));
    }
}
