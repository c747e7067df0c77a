package dev.stackshare.server;

import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.ProtocolException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The layout of the server's state directory (mode 0700, the user's own; anything else is refused):
 *
 * <pre>
 * token                 bearer token, 64 hex digits, mode 0600
 * server.json           {"url":..., "pid":...} while a server runs
 * lock                  held (fcntl lock) by the running server, so two servers never share a store
 * objects/ab/abcd...    frozen objects: one zstd frame each, named by the digest of the raw bytes
 * snapshots/ID.json     snapshot records
 * views/NAME            id of the newest snapshot of view NAME
 * </pre>
 */
public final class StateDir {
    private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{64}");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    private StateDir(Path dir) {
        this.dir = dir;
    }

    /** Opens the state directory, creating it (mode 0700) and its parents if missing. */
    public static StateDir open(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new ServerException("state dir " + abs + " is not a directory; give another --state-dir");
        }
        if (!Files.isDirectory(abs)) {
            Path parent = abs.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                // The attribute makes the directory private from its first instant; umask can only narrow it.
                Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } catch (FileAlreadyExistsException e) {
                // Another process made it meanwhile: fine, as long as it is a directory.
                if (!Files.isDirectory(abs)) {
                    throw new ServerException("state dir " + abs + " is not a directory; give another --state-dir");
                }
            }
        }
        checkPrivate(abs);
        if (!Files.isWritable(abs)) {
            throw new ServerException("state dir " + abs + " is not writable; fix its permissions or give another --state-dir");
        }
        return new StateDir(abs);
    }

    /**
     * The state dir holds the token that opens the server: it must be this user's own and closed
     * to everyone else. Nothing is changed behind the user's back; the message says the fix.
     */
    private static void checkPrivate(Path dir) throws IOException {
        Path real = dir.toRealPath();
        long owner = ((Number) Files.getAttribute(real, "unix:uid")).longValue();
        long me = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        if (owner != me) {
            throw new ServerException("state dir " + dir + " belongs to " + Files.getOwner(real).getName()
                    + "; give a state dir of your own with --state-dir (the default is ~/.local/state/stackshare)");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(real);
        if (!OWNER_ONLY_DIR.containsAll(perms)) {
            throw new ServerException("state dir " + dir + " is open to other users (" + PosixFilePermissions.toString(perms)
                    + ") and holds the server's token; make it private with chmod 700 " + real);
        }
    }

    /** {@code $XDG_STATE_HOME/stackshare}, or {@code ~/.local/state/stackshare} when that is unset. */
    public static Path defaultDir() {
        return defaultDir(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultDir(Map<String, String> env, String home) {
        String xdg = env.get("XDG_STATE_HOME");
        // The XDG spec says relative values are invalid and must be ignored.
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "stackshare");
        }
        return Path.of(home, ".local", "state", "stackshare");
    }

    Path path() {
        return dir;
    }

    public Path tokenFile() {
        return dir.resolve("token");
    }

    Path serverInfoFile() {
        return dir.resolve("server.json");
    }

    Path objectsDir() {
        return dir.resolve("objects");
    }

    Path snapshotsDir() {
        return dir.resolve("snapshots");
    }

    Path viewsDir() {
        return dir.resolve("views");
    }

    /**
     * The token every request must present. Made at first use from 32 SecureRandom bytes; the file
     * is created mode 0600 and linked into place, so it is never readable by others and never seen
     * half-written, even by a CLI that reads it while a server starts.
     */
    public String loadOrCreateToken() throws IOException {
        Path file = tokenFile();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            byte[] token = HexFormat.of().formatHex(raw).getBytes(StandardCharsets.US_ASCII);
            FileAttribute<Set<PosixFilePermission>> perms = PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE);
            Path temp = Files.createTempFile(dir, ".token-", "", perms);
            try {
                Files.write(temp, token);
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException e) {
                // Someone else made it first; theirs wins.
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return readToken(file);
    }

    private static String readToken(Path file) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new ServerException("token file " + file + " is a symlink; delete it and start the server again");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (!OWNER_ONLY_FILE.containsAll(perms)) {
            throw new ServerException("token file " + file + " is open to other users (" + PosixFilePermissions.toString(perms)
                    + "); make it private with chmod 600 " + file + ", or if others may have read it, delete it and restart the "
                    + "server for a fresh token");
        }
        String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!TOKEN.matcher(token).matches()) {
            throw new ServerException("token file " + file + " does not hold a token; delete it and start the server again");
        }
        return token;
    }

    /**
     * What a running server wrote about itself; empty when no server is running (no file, or the
     * process that wrote it is gone).
     */
    public Optional<ServerInfo> readServerInfo() throws IOException {
        byte[] json;
        try {
            json = Files.readAllBytes(serverInfoFile());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        ServerInfo info;
        try {
            info = Json.read(json, ServerInfo.class);
        } catch (ProtocolException e) {
            throw new ServerException("server file " + serverInfoFile() + " is corrupt; delete it if no server runs", e);
        }
        boolean alive = ProcessHandle.of(info.pid()).map(ProcessHandle::isAlive).orElse(false);
        return alive ? Optional.of(info) : Optional.empty();
    }

    void writeServerInfo(ServerInfo info) throws IOException {
        AtomicFiles.write(serverInfoFile(), Json.write(info));
    }

    void deleteServerInfo() throws IOException {
        Files.deleteIfExists(serverInfoFile());
    }

    /** Takes the state dir for this process; fails at once if another server holds it. */
    FileLock lock() throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve("lock"),
                EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            String who = readServerInfo().map(i -> " (" + i.url() + ", pid " + i.pid() + ")").orElse("");
            throw new ServerException("another stackshare server" + who + " is using state dir " + dir
                    + "; stop it, or give this one another --state-dir");
        }
        return lock;
    }

    /** Where a running server listens, for {@code stackshare publish} and friends on the same host. */
    public record ServerInfo(String url, long pid) {
    }
}
