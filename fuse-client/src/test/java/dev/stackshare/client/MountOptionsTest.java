package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountOptionsTest {
    private final URI server = URI.create("http://h:7878");

    @Test
    void defaultsToTheUsersCacheDirectory() {
        MountOptions o = MountOptions.of(server, "t", "latest", Path.of("/mnt/ss"));
        assertEquals(MountOptions.MEMORY_CACHE_FITTED, o.memoryCacheBytes(), "fitted to the heap at mount");
        assertTrue(o.cacheDir().endsWith("stackshare"), o.cacheDir().toString());
        assertTrue(o.cacheDir().isAbsolute());
    }

    @Test
    void rejectsMissingValues() {
        Path dir = Path.of("/tmp/c");
        Path mnt = Path.of("/mnt/ss");
        assertThrows(IllegalArgumentException.class, () -> new MountOptions((URI) null, "t", "latest", dir, mnt, 1));
        assertThrows(IllegalArgumentException.class, () -> new MountOptions(server, "", "latest", dir, mnt, 1));
        assertThrows(IllegalArgumentException.class, () -> new MountOptions(server, "t", null, dir, mnt, 1));
        assertThrows(IllegalArgumentException.class, () -> new MountOptions(server, "t", "latest", null, mnt, 1));
        assertThrows(IllegalArgumentException.class, () -> new MountOptions(server, "t", "latest", dir, null, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MountOptions(server, "t", "latest", dir, mnt, -5));
        assertTrue(e.getMessage().contains("-5"));
        MountOptions ok = new MountOptions(server, "t", "latest", dir, mnt, 1);
        assertEquals(MountOptions.DEFAULT_FETCH_DEADLINE, ok.fetchDeadline());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                () -> ok.withFetchDeadline(java.time.Duration.ZERO));
        assertTrue(d.getMessage().contains("fetch deadline"), d.getMessage());
    }
}
