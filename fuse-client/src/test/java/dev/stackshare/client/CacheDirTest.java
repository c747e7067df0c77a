package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which cache dirs a user may use, and how a private and a shared one are laid out. */
class CacheDirTest {
    @TempDir
    Path tmp;
    private ProcessCredentials me;
    private Path ownDefault;

    @BeforeEach
    void who() throws IOException {
        me = ProcessCredentials.current();
        ownDefault = tmp.resolve("home/.cache/stackshare");
    }

    private CacheDir open(Path dir) throws IOException {
        return CacheDir.open(dir, me, ownDefault);
    }

    private Path dir(String name, String perms) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(perms));
        return dir;
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private ClientException refused(Path dir, ProcessCredentials who) {
        ClientException e = assertThrows(ClientException.class, () -> CacheDir.open(dir, who, ownDefault));
        assertEquals(ClientException.BAD_CACHE_DIR, e.code());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void aMissingCacheDirIsCreatedPrivateWithItsParents() throws IOException {
        CacheDir cache = open(tmp.resolve("a/b/cache"));
        assertFalse(cache.shared());
        for (Path p : new Path[] {tmp.resolve("a"), tmp.resolve("a/b"), tmp.resolve("a/b/cache")}) {
            assertEquals("rwx------", perms(p), p.toString());
        }
        assertEquals(tmp.resolve("a/b/cache/logs"), cache.logs());
        assertEquals("rwx------", perms(cache.logs()));
        assertEquals(tmp.resolve("a/b/cache/snapshots"), cache.snapshots());
    }

    @Test
    void aCacheDirOpenToOthersIsRefusedWithTheFix() throws IOException {
        for (String perms : new String[] {"rwxr-xr-x", "rwx---r--", "rwxrwx--x"}) {
            Path dir = dir("c-" + perms, perms);
            ClientException e = refused(dir, me);
            assertTrue(e.getMessage().contains("open to other users") && e.getMessage().endsWith("chmod o-rwx " + dir),
                    e.getMessage());
        }
    }

    @Test
    void aPrivateCacheDirReadableByItsGroupIsRefusedWithBothFixes() throws IOException {
        Path dir = dir("c", "rwxr-x---");
        ClientException e = refused(dir, me);
        assertTrue(e.getMessage().contains("chmod 700 " + dir) && e.getMessage().contains("chmod 2770 " + dir),
                e.getMessage());
    }

    @Test
    void anotherUsersCacheDirIsRefused() throws IOException {
        Path dir = dir("theirs", "rwx------");
        ProcessCredentials someoneElse = new ProcessCredentials(me.uid() + 4242, 4242, Set.of(4242L), false);
        ClientException e = refused(dir, someoneElse);
        assertTrue(e.getMessage().contains("belongs to " + Modes.owner(dir)) && e.getMessage().contains("operations.md"),
                e.getMessage());

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));
        e = refused(dir, someoneElse);
        assertTrue(e.getMessage().contains("shared with group " + Modes.group(dir) + ", which you are not in"),
                e.getMessage());
    }

    @Test
    void aFileIsNotACacheDir() throws IOException {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        assertTrue(refused(file, me).getMessage().contains("not a directory"));
    }

    @Test
    void aGroupCacheSharesObjectsWithTheGroupAndKeepsTheUsersOwnThingsOut() throws IOException {
        Path shared = dir("shared", "rwxrwx---");
        CacheDir cache = open(shared);
        assertTrue(cache.shared());
        assertEquals("rwxrwx---", perms(shared.resolve("objects")));
        assertEquals(Modes.gid(shared), Modes.gid(shared.resolve("objects")));
        assertEquals(ownDefault.resolve("logs"), cache.logs(), "logs stay in the user's own cache dir");
        assertEquals(ownDefault.resolve("snapshots"), cache.snapshots(), "snapshot records too");
        assertEquals("rwx------", perms(ownDefault));

        Path fanOut = shared.resolve("objects/ab");
        assertTrue(cache.createObjectDir(fanOut));
        assertEquals("rwxrwx---", perms(fanOut));
        Path object = Files.createTempFile(fanOut, "o", "");
        cache.share(object);
        assertEquals("rw-r-----", perms(object));
        assertEquals(Modes.gid(shared), Modes.gid(object));
    }

    @Test
    void aSymbolicLinkInPlaceOfAnObjectDirIsNeverUsed() throws IOException {
        Path shared = dir("shared", "rwxrwx---");
        CacheDir cache = open(shared);
        Path elsewhere = Files.createDirectories(tmp.resolve("users-own-dir"));
        Path link = Files.createSymbolicLink(shared.resolve("objects/cd"), elsewhere);
        assertFalse(cache.createObjectDir(link));
    }

    @Test
    void theDefaultCacheDirCannotItselfBeTheSharedOne() throws IOException {
        Path shared = dir("shared", "rwxrwx---");
        ClientException e = assertThrows(ClientException.class, () -> CacheDir.open(shared, me, shared));
        assertTrue(e.getMessage().contains("--cache-dir"), e.getMessage());
    }

    @Test
    void aGroupCacheWithAnObjectsDirOfAnotherMemberThatIsNotSharedIsRefused() throws IOException {
        assumeTrue(me.isRoot(), "only root can make a directory of another user");
        Path shared = dir("shared", "rwxrwx---");
        Path objects = dir("shared/objects", "rwx------");
        Files.setOwner(objects, objects.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        ClientException e = refused(shared, me);
        assertTrue(e.getMessage().contains("chmod -R g+rwX,o-rwx " + objects), e.getMessage());
    }
}
