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
        assertEquals(Duration.ofSeconds(120), MountCommand.parseDeadline("120"));
        assertEquals(Duration.ofSeconds(30), MountCommand.parseDeadline("30s"));
        assertEquals(Duration.ofMinutes(5), MountCommand.parseDeadline("5m"));
        assertEquals(Duration.ofHours(1), MountCommand.parseDeadline("1h"));
        assertEquals(Duration.ofMillis(1500), MountCommand.parseDeadline("1500ms"));
    }

    @Test
    void refusesWhatIsNotAPositiveDurationNamingTheOption() {
        for (String bad : new String[] {"", "0", "0s", "-5s", "soon", "5 d", "1.5m"}) {
            UserError e = assertThrows(UserError.class, () -> MountCommand.parseDeadline(bad));
            assertTrue(e.getMessage().startsWith("--fetch-deadline wants"), e.getMessage());
        }
    }
}
