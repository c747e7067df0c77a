package dev.stackshare.client;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The node's disk cache directory, checked before anything goes into it so that users stay apart.
 *
 * <p><b>Private</b> (the default): owned by the user, closed to group and others (mode 0700),
 * created so when missing. <b>Shared</b> (opt-in): a directory the node's admin made for a group
 * ({@code chgrp GROUP DIR && chmod 2770 DIR}): owned by anyone, group {@code rwx}, closed to
 * others, and this user in the group. Objects in a shared dir are readable and insertable by the
 * group; every read checks an object against its digest, so one member can cost another a fetch
 * but never feed them wrong bytes. What is one user's own (snapshot records, which hold the
 * developer's captured environment, and mount logs) never goes into a shared dir: it stays in the
 * user's own default cache dir.
 *
 * <p>Anything else is refused with one line that says how to fix it: a directory open to others
 * (they could list which digests this node fetched), one of another user that is not a group cache.
 */
public final class CacheDir {
    static final String OBJECTS = "objects";
    static final String SNAPSHOTS = "snapshots";
    static final String LOGS = "logs";
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIR_ATTRIBUTE =
            PosixFilePermissions.asFileAttribute(PRIVATE_DIR);
    static final Set<PosixFilePermission> SHARED_DIR = PosixFilePermissions.fromString("rwxrwx---");
    static final Set<PosixFilePermission> SHARED_FILE = PosixFilePermissions.fromString("rw-r-----");

    private final Path path;
    /** The group of a shared cache; null for a private one. */
    private final GroupPrincipal group;
    /** Where this user's own records and logs go: the cache itself when private. */
    private final Path userDir;
    private final long uid;

    private CacheDir(Path path, GroupPrincipal group, Path userDir, long uid) {
        this.path = path;
        this.group = group;
        this.userDir = userDir;
        this.uid = uid;
    }

    /**
     * Checks the cache directory (creating it, mode 0700, when missing) and returns it; throws a
     * {@link ClientException} with a one-line message when this user must not or cannot use it.
     */
    public static CacheDir open(Path dir) throws IOException {
        return open(dir, ProcessCredentials.current(), Mounter.defaultCacheDir());
    }

    static CacheDir open(Path dir, ProcessCredentials me, Path defaultDir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !Files.notExists(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw bad("cache dir " + abs + " is out of your reach (a directory above it is closed to you); "
                    + "choose a directory of your own with --cache-dir");
        }
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            try {
                createPrivateDirectories(abs);
            } catch (AccessDeniedException e) {
                throw bad("cannot create the cache dir " + abs + ": permission denied on " + e.getFile()
                        + "; choose a directory of your own with --cache-dir");
            }
        }
        if (!Files.isDirectory(abs)) {
            throw bad("cache dir " + abs + " is not a directory; give another with --cache-dir");
        }
        Path real = abs.toRealPath();
        int mode = Modes.mode(real);
        String shown = real.equals(abs) ? abs.toString() : abs + " (" + real + ")";
        if ((mode & Modes.OTHERS_ALL) != 0) {
            throw bad("cache dir " + shown + " is open to other users (mode " + Modes.octal(mode)
                    + "), who could list and read what this node fetched; close it with chmod o-rwx " + real);
        }
        long owner = Modes.uid(real);
        boolean groupCache = (mode & Modes.GROUP_ALL) == Modes.GROUP_ALL;
        if (groupCache && me.inGroup(Modes.gid(real))) {
            return openShared(abs, real, me, defaultDir);
        }
        if (owner != me.uid()) {
            throw bad("cache dir " + shown + " belongs to " + Modes.owner(real)
                    + (groupCache ? " and is shared with group " + Modes.group(real) + ", which you are not in" : "")
                    + "; use a cache dir of your own (the default " + defaultDir + ", or --cache-dir), or see "
                    + "docs/operations.md for a node-wide cache shared by a group");
        }
        if ((mode & Modes.GROUP_ALL) != 0) {
            throw bad("cache dir " + shown + " is open to group " + Modes.group(real) + " (mode " + Modes.octal(mode)
                    + "); make it private with chmod 700 " + real + ", or a group cache with chmod 2770 " + real);
        }
        if (!Files.isWritable(real)) {
            throw bad("cache dir " + shown + " is not writable by you (mode " + Modes.octal(mode)
                    + "); fix it with chmod 700 " + real);
        }
        return new CacheDir(abs, null, abs, me.uid());
    }

    private static CacheDir openShared(Path abs, Path real, ProcessCredentials me, Path defaultDir) throws IOException {
        GroupPrincipal group = Files.readAttributes(real, PosixFileAttributes.class).group();
        Path ownDefault = defaultDir.toAbsolutePath().normalize();
        if (Files.exists(ownDefault) && ownDefault.toRealPath().equals(real)) {
            throw bad("the default cache dir " + ownDefault + " is a cache shared with group " + group.getName()
                    + ", but records and logs of your own need a private one; keep ${XDG_CACHE_HOME:-~/.cache} private "
                    + "and give the shared cache with --cache-dir");
        }
        CacheDir own = open(ownDefault, me, ownDefault); // private: a shared one is refused just above
        CacheDir cache = new CacheDir(abs, group, own.userDir, me.uid());
        Path objects = cache.objects();
        if (!cache.createObjectDir(objects)) {
            throw bad("cache dir " + abs + " is shared with group " + group.getName() + ", but its " + OBJECTS
                    + " dir (owner " + Modes.owner(objects) + ", mode " + Modes.octal(objects) + ") is not; its owner can "
                    + "fix it with chgrp -R " + group.getName() + " " + objects + " && chmod -R g+rwX,o-rwx " + objects);
        }
        return cache;
    }

    /** The directory as given (absolute). */
    public Path path() {
        return path;
    }

    /** Whether this is a cache shared by a group rather than one user's own. */
    public boolean shared() {
        return group != null;
    }

    /** Where this user's mount logs go, created (mode 0700) if missing; never in a shared cache. */
    public Path logs() throws IOException {
        Path logs = userDir.resolve(LOGS);
        createPrivateDirectories(logs);
        return logs;
    }

    /** Where this user's mounts report what they are doing ({@link MountReports}); never in a shared cache. */
    Path mounts() {
        return userDir.resolve(MountReports.DIR);
    }

    /** Where this user's snapshot records go (created on first use); never in a shared cache. */
    Path snapshots() {
        return userDir.resolve(SNAPSHOTS);
    }

    Path objects() {
        return path.resolve(OBJECTS);
    }

    /**
     * Makes sure {@code dir} (objects or one of its fan-out dirs) is a real directory objects can be
     * inserted into: private, or in a shared cache rwx for the group. Returns false when it is
     * there but not usable (a symbolic link, or another member's directory with the wrong mode).
     */
    boolean createObjectDir(Path dir) throws IOException {
        if (group == null) {
            createPrivateDirectories(dir);
            return Files.isDirectory(dir);
        }
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // made earlier, by this user or another member: checked below
        }
        // Never through a symbolic link: another member could point it at a directory of this user's.
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes attributes = view.readAttributes();
        if (attributes.group().equals(group) && attributes.permissions().equals(SHARED_DIR)) {
            return true;
        }
        if (Modes.uid(dir) != uid) {
            return false;
        }
        // Ours: the group and mode are set explicitly, so neither umask nor a missing setgid bit matters.
        view.setGroup(group);
        view.setPermissions(SHARED_DIR);
        return true;
    }

    /** Gives a new object file to the group of a shared cache (a private cache keeps the 0600 it was made with). */
    void share(Path file) throws IOException {
        if (group != null) {
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            view.setGroup(group);
            view.setPermissions(SHARED_FILE);
        }
    }

    /** Creates a directory and its missing parents, each mode 0700 (umask can only narrow that). */
    static void createPrivateDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PRIVATE_DIR_ATTRIBUTE);
        }
    }

    private static ClientException bad(String message) {
        return new ClientException(ClientException.BAD_CACHE_DIR, message);
    }

    @Override
    public String toString() {
        return path + (shared() ? " (shared with group " + group.getName() + ")" : "");
    }
}
