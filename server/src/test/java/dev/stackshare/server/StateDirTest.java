package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirTest {
    @TempDir
    Path tmp;

    @Test
    void createsTheStateDirMode0700() throws IOException {
        StateDir state = StateDir.open(tmp.resolve("a/b/state"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.path())));
    }

    @Test
    void tokenIs64HexDigitsInAFileOfMode0600AndStaysTheSame() throws IOException {
        StateDir state = StateDir.open(tmp.resolve("state"));
        String token = state.loadOrCreateToken();
        assertTrue(token.matches("[0-9a-f]{64}"), token);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.tokenFile())));
        assertEquals(token, StateDir.open(tmp.resolve("state")).loadOrCreateToken());
        try (var files = Files.list(state.path())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".token-")), "no temp file left");
        }
    }

    @Test
    void tokenFileReadableByOthersIsRefusedWithTheFix() throws IOException {
        StateDir state = StateDir.open(tmp.resolve("state"));
        state.loadOrCreateToken();
        Files.setPosixFilePermissions(state.tokenFile(), PosixFilePermissions.fromString("rw-r--r--"));
        ServerException e = assertThrows(ServerException.class, state::loadOrCreateToken);
        assertTrue(e.getMessage().contains("chmod 600 " + state.tokenFile()), e.getMessage());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.tokenFile())),
                "nothing is changed behind the user's back");
    }

    @Test
    void tokenFileReadableByTheGroupOrASymlinkIsRefused() throws IOException {
        StateDir state = StateDir.open(tmp.resolve("state"));
        state.loadOrCreateToken();
        Files.setPosixFilePermissions(state.tokenFile(), PosixFilePermissions.fromString("rw-r-----"));
        assertThrows(ServerException.class, state::loadOrCreateToken, "group-readable");
        Path elsewhere = Files.writeString(tmp.resolve("elsewhere"), "ab".repeat(32));
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rw-------"));
        Files.delete(state.tokenFile());
        Files.createSymbolicLink(state.tokenFile(), elsewhere);
        ServerException e = assertThrows(ServerException.class, state::loadOrCreateToken);
        assertTrue(e.getMessage().contains("symlink"), e.getMessage());
    }

    @Test
    void stateDirOpenToOthersIsRefusedWithTheFix() throws IOException {
        for (String perms : List.of("rwxr-xr-x", "rwx--x--x", "rwxrwx---")) {
            Path dir = Files.createDirectories(tmp.resolve("state-" + perms));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(perms));
            ServerException e = assertThrows(ServerException.class, () -> StateDir.open(dir));
            assertTrue(e.getMessage().contains("open to other users") && e.getMessage().endsWith("chmod 700 " + dir),
                    e.getMessage());
        }
    }

    @Test
    void stateDirOfAnotherUserIsRefused() throws IOException {
        assumeTrue(System.getProperty("user.name").equals("root"), "only root can give a directory away");
        Path dir = Files.createDirectories(tmp.resolve("theirs"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        ServerException e = assertThrows(ServerException.class, () -> StateDir.open(dir));
        assertTrue(e.getMessage().contains("belongs to nobody"), e.getMessage());
    }

    @Test
    void corruptTokenFileSaysToDeleteIt() throws IOException {
        StateDir state = StateDir.open(tmp.resolve("state"));
        Files.writeString(state.tokenFile(), "not a token");
        ServerException e = assertThrows(ServerException.class, state::loadOrCreateToken);
        assertTrue(e.getMessage().contains("delete it"), e.getMessage());
    }

    @Test
    void serverInfoIsReadBackOnlyWhileItsProcessLives() throws IOException {
        StateDir state = StateDir.open(tmp.resolve("state"));
        assertEquals(Optional.empty(), state.readServerInfo());
        StateDir.ServerInfo me = new StateDir.ServerInfo("http://127.0.0.1:7878", ProcessHandle.current().pid());
        state.writeServerInfo(me);
        assertEquals(Optional.of(me), state.readServerInfo());
        state.writeServerInfo(new StateDir.ServerInfo("http://127.0.0.1:7878", Integer.MAX_VALUE - 1L));
        assertEquals(Optional.empty(), state.readServerInfo());
    }

    @Test
    void secondLockOnTheSameStateDirIsRefused() throws IOException {
        StateDir state = StateDir.open(tmp.resolve("state"));
        FileLock lock = state.lock();
        try {
            ServerException e = assertThrows(ServerException.class, state::lock);
            assertTrue(e.getMessage().contains("another stackshare server"), e.getMessage());
        } finally {
            lock.channel().close();
        }
    }

    @Test
    void stateDirThatIsAFileIsAnError() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        ServerException e = assertThrows(ServerException.class, () -> StateDir.open(file));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    @Test
    void defaultDirFollowsXdgStateHome() {
        assertEquals(Path.of("/x/state/stackshare"), StateDir.defaultDir(Map.of("XDG_STATE_HOME", "/x/state"), "/home/u"));
        assertEquals(Path.of("/home/u/.local/state/stackshare"), StateDir.defaultDir(Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u/.local/state/stackshare"),
                StateDir.defaultDir(Map.of("XDG_STATE_HOME", "relative"), "/home/u"));
    }
}
