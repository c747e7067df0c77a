package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every case of {@link SnapshotFileSystemIT}, on a mount served by libfuse 2 (jnr-fuse) instead
 * of our own kernel session, which stays selectable with {@code -Dstackshare.fuse.session=libfuse}.
 */
class LibfuseSessionContractIT extends SnapshotFileSystemIT {
    static {
        // Read once, when the class's mount starts in the @BeforeAll it inherits.
        System.setProperty(KernelSessionMount.SESSION_PROPERTY, "libfuse");
    }

    @Test
    void isServedByLibfuse() throws IOException {
        Files.readString(stack.resolve("pkg/mod.py"));
        assertEquals(0L, mount.stats().fuseOperations().get("lookup"),
                "libfuse never passes a LOOKUP on: " + mount.stats().fuseOperations());
    }

    @AfterAll
    static void backToTheDefault() {
        System.clearProperty(KernelSessionMount.SESSION_PROPERTY);
    }
}
