package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.client.MountOptions;
import org.junit.jupiter.api.Test;

class MemoryCacheOptionTest {
    @Test
    void autoFitsTheCacheToTheHeapAtMount() {
        assertEquals(MountOptions.MEMORY_CACHE_FITTED, MountCommand.memoryCacheBytes("auto"));
    }

    @Test
    void aNumberIsMegabytes() {
        assertEquals(96L << 20, MountCommand.memoryCacheBytes("96"));
    }

    @Test
    void anythingElseIsRefusedNamingTheOption() {
        for (String bad : new String[] {"0", "-3", "lots", "64M", ""}) {
            UserError e = assertThrows(UserError.class, () -> MountCommand.memoryCacheBytes(bad), bad);
            assertTrue(e.getMessage().contains("--memory-cache-mb"), e.getMessage());
        }
    }
}
