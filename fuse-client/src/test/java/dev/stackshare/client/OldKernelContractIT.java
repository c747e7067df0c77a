package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every case of {@link SnapshotFileSystemIT} with every optional INIT flag refused, as a kernel
 * without them (RHEL 8's 4.18 has none of no-opendir, and older ones lack the rest) would leave
 * the session: OPEN and OPENDIR answered with KEEP_CACHE and CACHE_DIR, plain READDIR, 128 KiB
 * reads, serialised look-ups, symlink targets asked for each time.
 */
class OldKernelContractIT extends SnapshotFileSystemIT {
    static final String ALL_OPTIONAL = "NO_OPEN_SUPPORT,NO_OPENDIR_SUPPORT,DO_READDIRPLUS,MAX_PAGES,PARALLEL_DIROPS,"
            + "CACHE_SYMLINKS,ASYNC_READ";

    static {
        // Read once, when the class's mount starts in the @BeforeAll it inherits.
        System.setProperty(KernelSessionMount.MASK_PROPERTY, ALL_OPTIONAL);
    }

    @Test
    void opensAndListingsAreAnsweredWhenTheKernelCannotSkipThem() throws IOException {
        for (int i = 0; i < 3; i++) {
            Files.readString(stack.resolve("pkg/mod.py"));
            try (var listing = Files.list(stack.resolve("pkg"))) {
                assertTrue(listing.count() > 0);
            }
        }
        java.util.Map<String, Long> ops = mount.stats().fuseOperations();
        assertTrue(ops.get("open") >= 1 && ops.get("opendir") >= 1 && ops.get("release") >= 1, ops.toString());
        assertTrue(ops.get("readdirplus") == 0 && ops.get("readdir") >= 1, "plain READDIR only: " + ops);
    }

    @AfterAll
    static void backToTheDefault() {
        System.clearProperty(KernelSessionMount.MASK_PROPERTY);
    }
}
