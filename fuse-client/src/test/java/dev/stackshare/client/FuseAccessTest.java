package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node checks on files that stand in for /dev/fuse and fusermount. What needs another user
 * or a real device node (/dev/fuse mode 0600) is in cli's OrdinaryUserIT.
 */
class FuseAccessTest {
    private static final ProcessCredentials ROOT = new ProcessCredentials(0, 0, Set.of(0L), false);
    private static final ProcessCredentials USER = new ProcessCredentials(4242, 4242, Set.of(4242L), false);

    @TempDir
    Path tmp;
    private Path devFuse;

    @BeforeEach
    void device() throws IOException {
        devFuse = Files.writeString(tmp.resolve("fuse"), "");
    }

    private Path fusermount(String name, String perms) throws IOException, InterruptedException {
        Path file = Files.writeString(tmp.resolve(name), "#!/bin/sh\n");
        // PosixFilePermissions has no setuid bit: chmod sets it.
        assertEquals(0, new ProcessBuilder("chmod", perms, file.toString()).start().waitFor());
        return file;
    }

    private static ClientException fails(FuseAccess access) {
        ClientException e = assertThrows(ClientException.class, access::verify);
        assertEquals(ClientException.FUSE_UNAVAILABLE, e.code());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void missingDevFuseSaysToLoadTheModuleEvenForRoot() {
        Path missing = tmp.resolve("no-fuse");
        for (ProcessCredentials who : List.of(ROOT, USER)) {
            ClientException e = fails(new FuseAccess(missing, List.of(), who, "u", List.of()));
            assertTrue(e.getMessage().contains("modprobe fuse") && e.getMessage().contains("--device /dev/fuse"),
                    e.getMessage());
        }
    }

    @Test
    void rootNeedsOnlyTheDevice() {
        assertDoesNotThrow(() -> new FuseAccess(devFuse, List.of(tmp.resolve("none")), ROOT, "root", List.of()).verify());
    }

    @Test
    void noFusermountSaysToInstallFuse3() {
        ClientException e = fails(new FuseAccess(devFuse, List.of(tmp.resolve("none")), USER, "alice", List.of()));
        assertTrue(e.getMessage().startsWith("no fusermount on this node")
                && e.getMessage().contains("apt-get install fuse3"), e.getMessage());
    }

    @Test
    void fusermountWithoutItsSetuidBitSaysHowToRestoreIt() throws Exception {
        Path fm = fusermount("fusermount", "0755");
        ClientException e = fails(new FuseAccess(devFuse, List.of(fm), USER, "alice", List.of()));
        assertTrue(e.getMessage().contains("mode 0755") && e.getMessage().contains("not setuid root")
                && e.getMessage().contains("chmod 4755 " + fm.toRealPath()), e.getMessage());
    }

    @Test
    void theFirstExecutableCandidateIsTheOneLibfuseRuns() throws Exception {
        Path notExecutable = fusermount("a", "0644");
        Path executable = fusermount("b", "0755");
        FuseAccess access = new FuseAccess(devFuse, List.of(tmp.resolve("missing"), notExecutable, executable,
                fusermount("c", "4755")), USER, "alice", List.of());
        assertEquals(Optional.of(executable), access.fusermount());
        assertEquals(List.of(FuseAccess.LIBFUSE_FUSERMOUNT, Path.of("/usr/local/bin/fusermount"),
                Path.of("/usr/bin/fusermount")), FuseAccess.fusermountCandidates("/usr/local/bin::/usr/bin"));
    }

    @Test
    void setuidRootFusermountPassesUnlessNoNewPrivsOrNosuidDefeatIt() throws Exception {
        assumeTrue(Modes.uid(tmp) == 0, "a setuid-root file needs root to make");
        Path fm = fusermount("fusermount", "4755");
        assertDoesNotThrow(() -> new FuseAccess(devFuse, List.of(fm), USER, "alice", List.of()).verify());

        ProcessCredentials sandboxed = new ProcessCredentials(4242, 4242, Set.of(4242L), true);
        ClientException e = fails(new FuseAccess(devFuse, List.of(fm), sandboxed, "alice", List.of()));
        assertTrue(e.getMessage().contains("no_new_privs"), e.getMessage());

        List<MountTable.Mount> nosuid = List.of(new MountTable.Mount("/dev/vda", Path.of("/"), "ext4", "rw"),
                new MountTable.Mount("tmpfs", tmp.toRealPath(), "tmpfs", "rw,nosuid,nodev"));
        e = fails(new FuseAccess(devFuse, List.of(fm), USER, "alice", nosuid));
        assertTrue(e.getMessage().contains("mounted nosuid (" + tmp.toRealPath() + ")"), e.getMessage());
    }

    @Test
    void aDeviceThisUserCannotOpenSaysTheNodeNeedsMode0666() throws IOException {
        assumeTrue(Modes.uid(tmp) != 0, "root can open any file, so only an ordinary user sees this (OrdinaryUserIT)");
        Files.setPosixFilePermissions(devFuse, PosixFilePermissions.fromString("---------"));
        ClientException e = fails(new FuseAccess(devFuse, List.of(), USER, "alice", List.of()));
        assertTrue(e.getMessage().contains("mode 0000") && e.getMessage().contains("0666"), e.getMessage());
    }
}
