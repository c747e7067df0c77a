package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** `mount --fetch-deadline`: how long a read waits for content while the server is away. */
class FetchDeadlineOptionTest {
    @Test
    void readsSecondsByDefaultAndCommonUnits() {
        assertEquals(Duration.ofSeconds(120), FetchDeadlineOption.parse("120"));
        assertEquals(Duration.ofSeconds(30), FetchDeadlineOption.parse("30s"));
        assertEquals(Duration.ofMinutes(5), FetchDeadlineOption.parse("5m"));
        assertEquals(Duration.ofHours(1), FetchDeadlineOption.parse("1h"));
        assertEquals(Duration.ofMillis(1500), FetchDeadlineOption.parse("1500ms"));
    }

    @Test
    void refusesWhatIsNotAPositiveDurationNamingTheOption() {
        for (String bad : new String[] {"", "0", "0s", "-5s", "soon", "5 d", "1.5m"}) {
            UserError e = assertThrows(UserError.class, () -> FetchDeadlineOption.parse(bad));
            assertTrue(e.getMessage().startsWith("--fetch-deadline wants"), e.getMessage());
        }
    }
}
