package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void readsUnitsAsPowersOfTwo() {
        assertEquals(10L << 30, Sizes.parse("--cache-size", "10G"));
        assertEquals(10L << 30, Sizes.parse("--cache-size", "10GiB"));
        assertEquals(500L << 20, Sizes.parse("--cache-size", "500m"));
        assertEquals(3L << 39, Sizes.parse("--cache-size", "1.5T"));
        assertEquals(4096, Sizes.parse("--cache-size", "4096"));
        assertEquals(2048, Sizes.parse("--cache-size", "2KB"));
    }

    @Test
    void refusesWhatIsNotAPositiveSizeNamingTheOption() {
        for (String bad : new String[] {"", "G", "ten", "-5G", "0", "1X"}) {
            UserError e = assertThrows(UserError.class, () -> Sizes.parse("--cache-size", bad));
            assertTrue(e.getMessage().startsWith("--cache-size must be"), e.getMessage());
        }
    }
}
