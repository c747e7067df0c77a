package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessCredentialsTest {
    @Test
    void readsTheEffectiveIdsTheGroupsAndNoNewPrivs() {
        ProcessCredentials c = ProcessCredentials.parse(String.join("\n",
                "Name:\tjava", "Uid:\t1000\t1001\t1001\t1001", "Gid:\t2000\t2001\t2001\t2001",
                "Groups:\t27 100 ", "NoNewPrivs:\t1", ""));
        assertEquals(1001, c.uid());
        assertEquals(2001, c.gid());
        assertEquals(Set.of(27L, 100L, 2001L), c.groups());
        assertTrue(c.noNewPrivs());
        assertFalse(c.isRoot());
        assertTrue(c.inGroup(100));
        assertFalse(c.inGroup(2000));
    }

    @Test
    void rootWithNoSupplementaryGroupsIsInItsOwnGroup() {
        ProcessCredentials c = ProcessCredentials.parse("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t \nNoNewPrivs:\t0\n");
        assertTrue(c.isRoot());
        assertEquals(Set.of(0L), c.groups());
        assertFalse(c.noNewPrivs());
    }

    @Test
    void statusWithoutIdsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ProcessCredentials.parse("Name:\tx\n"));
    }

    @Test
    void thisProcessIsWhoOwnsWhatItCreates() throws IOException {
        Path file = Files.createTempFile("credentials", ".txt");
        try {
            ProcessCredentials me = ProcessCredentials.current();
            assertEquals(Modes.uid(file), me.uid());
            assertTrue(me.inGroup(Modes.gid(file)));
        } finally {
            Files.delete(file);
        }
    }
}
