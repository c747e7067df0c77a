package dev.stackshare.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The allocation-free name order and length agree with encoding the names to UTF-8. */
class NameOrderTest {
    /** Chars from every range where UTF-16 and UTF-8 orders could part: ASCII, Latin, CJK, U+E000..U+FFFF, surrogates. */
    private static final char[] ALPHABET = {'a', 'b', 'z', '.', '_', '\u00e9', '\u00ff', '\u0100', '\u4e2d', '\ue000',
        '\uf8ff', '\uff5e', '\uffff', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00'};

    @Test
    void orderIsTheOrderOfTheUtf8Bytes() {
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            String a = validName(random);
            String b = random.nextInt(4) == 0 ? a + validName(random) : validName(random);
            int expected = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                    b.getBytes(StandardCharsets.UTF_8)));
            assertEquals(expected, Integer.signum(Directory.NAME_ORDER.compare(a, b)), a + " vs " + b);
        }
    }

    @Test
    void lengthIsTheLengthOfTheUtf8Bytes() {
        Random random = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder();
            for (int n = random.nextInt(8); n > 0; n--) {
                s.append(ALPHABET[random.nextInt(ALPHABET.length)]); // unpaired surrogates too
            }
            String name = s.toString();
            assertEquals(name.getBytes(StandardCharsets.UTF_8).length, Names.utf8Length(name), name);
        }
    }

    /** A name as a file system gives it: surrogates only in pairs. */
    private static String validName(Random random) {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(6); n > 0; n--) {
            char c = ALPHABET[random.nextInt(ALPHABET.length)];
            if (Character.isSurrogate(c)) {
                s.appendCodePoint(0x10000 + random.nextInt(0x100000));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}
