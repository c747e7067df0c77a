package dev.stackshare.client;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mount that outlives its jobs. Beside the mount's report ({@code CACHE/mounts/MOUNTPOINT.users})
 * a small file counts the jobs using the mount and, once none does, how long it may stay:
 *
 * <ul>
 *   <li>{@code mount} makes the file with one user; {@code mount} again on the live mount of the
 *       same snapshot (the next job's prologue, a task of the same job array) adds one and stops
 *       any linger;
 *   <li>{@code unmount --linger D} takes one away; the last one starts the linger (the file's
 *       modification time is when it began);
 *   <li>the mount process looks every second and unmounts itself once D has passed with no user.
 * </ul>
 *
 * Changes are made under a lock on a file beside it, since prologs and epilogs of several jobs
 * may run at once. A file, not a signal or a socket: {@code unmount} needs no process id, and a
 * mount process that died leaves nothing that could act later.
 */
public final class MountLinger {
    private static final String SUFFIX = ".users";
    private static final Pattern STATE = Pattern.compile("users=(\\d+) linger=(-?\\d+)\\s*");

    /** Jobs using the mount, and the linger in seconds once none does (-1: none asked for, the mount stays). */
    record State(int users, long lingerSeconds) {
        static final State UNKNOWN = new State(0, -1);

        boolean lingering() {
            return users == 0 && lingerSeconds >= 0;
        }

        String text() {
            return "users=" + users + " linger=" + lingerSeconds + "\n";
        }
    }

    private final Path file;
    private final Path lock;

    private MountLinger(Path file) {
        this.file = file;
        this.lock = file.resolveSibling(file.getFileName() + ".lock");
    }

    /** The linger of the mount on {@code mountpoint} whose report is in {@code reports}. */
    static MountLinger of(MountReports reports, Path mountpoint) {
        return new MountLinger(reports.fileFor(mountpoint, SUFFIX));
    }

    /** The linger of the mount on {@code mountpoint} made with the cache dir {@code cacheDir}. */
    public static MountLinger of(Path cacheDir, Path mountpoint) throws IOException {
        return of(MountReports.of(cacheDir), MountTable.canonical(mountpoint));
    }

    /** A new mount: one user, no linger. */
    void started() throws IOException {
        update(old -> new State(1, -1));
    }

    /** One more job uses the mount, and any linger stops; returns the linger it had, or null when it had none. */
    public Duration join() throws IOException {
        State[] before = new State[1];
        update(old -> {
            before[0] = old;
            return new State(old.users() + 1, -1);
        });
        return before[0].lingering() ? Duration.ofSeconds(before[0].lingerSeconds()) : null;
    }

    /**
     * A job is done with the mount: one user less; when none is left, the mount lingers for
     * {@code idle} (null: it stays until unmounted). Returns the users left.
     */
    public int leave(Duration idle) throws IOException {
        if (idle != null && idle.isNegative()) {
            throw new IllegalArgumentException("a linger cannot be negative: " + idle);
        }
        State[] after = new State[1];
        update(old -> {
            int users = Math.max(0, old.users() - 1);
            after[0] = new State(users, users == 0 && idle != null ? idle.toSeconds() : old.lingerSeconds());
            return after[0];
        });
        return after[0].users();
    }

    /** Whether the mount is lingering now: no job uses it, and it goes when its time is up. */
    public boolean lingering() {
        return read().lingering();
    }

    /** Whether the linger has run out: the mount should unmount itself. */
    boolean expired(Clock clock) {
        State state = read();
        if (!state.lingering()) {
            return false;
        }
        try {
            Instant since = Files.getLastModifiedTime(file).toInstant();
            return !clock.instant().isBefore(since.plusSeconds(state.lingerSeconds()));
        } catch (IOException e) {
            return false;
        }
    }

    /** The mount is gone: nothing to count any more. */
    void remove() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(lock);
    }

    private State read() {
        try {
            Matcher m = STATE.matcher(Files.readString(file, StandardCharsets.US_ASCII));
            return m.matches() ? new State(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2))) : State.UNKNOWN;
        } catch (NoSuchFileException e) {
            return State.UNKNOWN;
        } catch (IOException | NumberFormatException e) {
            return State.UNKNOWN;
        }
    }

    /** Reads, changes and writes the state under the lock; the write is a rename, so a reader sees one whole state. */
    private void update(java.util.function.UnaryOperator<State> change) throws IOException {
        Files.createDirectories(file.getParent());
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            State next = change.apply(read());
            Path temp = Files.createTempFile(file.getParent(), ".tmp-", SUFFIX);
            try {
                Files.writeString(temp, next.text(), StandardCharsets.US_ASCII);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
