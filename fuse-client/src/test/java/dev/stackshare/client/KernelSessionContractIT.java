package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every case of {@link SnapshotFileSystemIT}, on a mount served by our own FUSE kernel session
 * instead of libfuse 2.
 */
class KernelSessionContractIT extends SnapshotFileSystemIT {
    static {
        // Read once, when the class's mount starts in the @BeforeAll it inherits.
        System.setProperty(KernelSessionMount.SESSION_PROPERTY, "kernel");
    }

    @Test
    void isServedByOurOwnSession() throws IOException {
        Files.readString(stack.resolve("pkg/mod.py"));
        assertTrue(mount.stats().fuseOperations().getOrDefault("lookup", 0L) > 0,
                "libfuse never passes a LOOKUP on; our session does: " + mount.stats().fuseOperations());
    }

    @AfterAll
    static void backToTheDefault() {
        System.clearProperty(KernelSessionMount.SESSION_PROPERTY);
    }
}
