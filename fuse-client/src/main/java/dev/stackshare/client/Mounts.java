package dev.stackshare.client;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Inspecting and removing stackshare mounts, from this process or any other. */
public final class Mounts {
    private static final Logger log = LoggerFactory.getLogger(Mounts.class);
    static final String TYPE = "fuse.stackshare";
    static final String SOURCE = "stackshare";

    private Mounts() {
    }

    /**
     * Unmounts a stackshare mount with {@code fusermount -u} (falling back to {@code umount}).
     * A stale mount (its process died) is detached instead. Refuses anything that is not a
     * stackshare mount, and a mount still in use.
     */
    public static void unmount(Path mountpoint) throws IOException {
        Path path = MountTable.canonical(mountpoint);
        MountTable.Mount mount = MountTable.find(path).orElseThrow(() -> new ClientException(
                ClientException.NOT_MOUNTED, path + " is not mounted"));
        if (!isStackshare(mount)) {
            throw new ClientException(ClientException.NOT_MOUNTED, path + " is not a stackshare mount (it is "
                    + mount.type() + " from " + mount.source() + "); refusing to unmount it");
        }
        checkOwnMount(path, mount);
        if (isStale(path)) {
            cleanStale(path);
            return;
        }
        Command.Result result = runFirstAvailable(new String[] {"fusermount", "-u", path.toString()},
                new String[] {"umount", path.toString()});
        if (result.ok() && !isMounted(path)) {
            return;
        }
        if (isStale(path)) {
            cleanStale(path);
            return;
        }
        if (result.output().toLowerCase(Locale.ROOT).contains("busy")) {
            throw new ClientException(ClientException.BUSY, path + " is busy: a process still uses it (see `fuser -m "
                    + path + "`)");
        }
        throw new ClientException(ClientException.UNMOUNT_FAILED, "cannot unmount " + path + ": "
                + (result.ok() ? "it is still mounted" : result.firstLine()));
    }

    /**
     * Another user's mount cannot be unmounted by this one (fusermount would say it is "not found
     * in /etc/mtab"): say whose it is instead. Root may unmount any.
     */
    private static void checkOwnMount(Path path, MountTable.Mount mount) throws IOException {
        long me = ProcessCredentials.current().uid();
        for (String option : mount.options().split(",")) {
            if (option.startsWith("user_id=") && me != 0) {
                String owner = option.substring("user_id=".length());
                if (!owner.equals(Long.toString(me))) {
                    throw new ClientException(ClientException.UNMOUNT_FAILED, path + " is a mount of " + userName(owner)
                            + "; only they (or root) can unmount it");
                }
            }
        }
    }

    private static String userName(String uid) {
        try {
            Command.Result id = Command.run("id", "-nu", uid);
            if (id.ok() && !id.firstLine().isEmpty()) {
                return "user " + id.firstLine();
            }
        } catch (IOException e) {
            // the number says it too
        }
        return "user id " + uid;
    }

    /** Whether anything is mounted on exactly this path. */
    public static boolean isMounted(Path mountpoint) {
        try {
            return MountTable.find(mountpoint).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether a FUSE mount on this path lost its process (killed with -9, crashed): every access
     * then fails with ENOTCONN, and nothing can be mounted there until it is cleaned.
     */
    public static boolean isStale(Path mountpoint) {
        Path path = MountTable.canonical(mountpoint);
        if (!isMounted(path)) {
            return false;
        }
        try {
            Files.readAttributes(path, BasicFileAttributes.class);
            return false;
        } catch (FileSystemException e) {
            String reason = String.valueOf(e.getReason()).toLowerCase(Locale.ROOT);
            return reason.contains("not connected") || reason.contains("connection abort");
        } catch (IOException e) {
            return false;
        }
    }

    /** Detaches a stale mount ({@code fusermount -u -z}, falling back to {@code umount -l}); does nothing otherwise. */
    public static void cleanStale(Path mountpoint) throws IOException {
        Path path = MountTable.canonical(mountpoint);
        if (!isStale(path)) {
            return;
        }
        log.info("cleaning the stale mount on {}", path);
        Command.Result result = detach(path);
        if (isMounted(path) && isStale(path)) {
            throw new ClientException(ClientException.UNMOUNT_FAILED, "cannot clean the stale mount on " + path + ": "
                    + result.firstLine() + "; try `fusermount -u -z " + path + "` as its owner or root");
        }
    }

    /** Lazy unmount: the path is free at once, users of the old mount keep it until they let go. */
    static Command.Result detach(Path path) throws IOException {
        Command.Result result = runFirstAvailable(new String[] {"fusermount", "-u", "-z", path.toString()},
                new String[] {"umount", "-l", path.toString()});
        if (!result.ok() && isMounted(path)) {
            result = Command.run("umount", "-l", path.toString());
        }
        return result;
    }

    /** The current user's stackshare mounts on this node, as the kernel's mount table lists them. */
    public static List<Path> ofCurrentUser() throws IOException {
        String owner = "user_id=" + ProcessCredentials.current().uid();
        return MountTable.read().stream()
                .filter(m -> isStackshare(m) && List.of(m.options().split(",")).contains(owner))
                .map(MountTable.Mount::mountpoint)
                .toList();
    }

    static boolean isStackshare(MountTable.Mount mount) {
        return TYPE.equals(mount.type()) || ((SOURCE.equals(mount.source()) || mount.source().startsWith(SOURCE + ":"))
                && mount.type().startsWith("fuse"));
    }

    /** The source field a mount of this snapshot shows in /proc/mounts. */
    static String source(String snapshotId) {
        return SOURCE + ":" + snapshotId;
    }

    /**
     * A live (not stale) stackshare mount of this snapshot made by the current user, if the
     * node has one; {@code stackshare exec} reuses it instead of mounting again.
     */
    public static Optional<Path> findLiveMount(String snapshotId) throws IOException {
        String uid = "user_id=" + Owner.ofCurrentProcess().uid();
        for (MountTable.Mount m : MountTable.read()) {
            if (m.source().equals(source(snapshotId)) && isLiveAndOwnedBy(m, uid)) {
                return Optional.of(m.mountpoint());
            }
        }
        return Optional.empty();
    }

    /** The snapshot id of the current user's live stackshare mount on {@code mountpoint}, if it holds one. */
    public static Optional<String> liveSnapshotOn(Path mountpoint) throws IOException {
        String uid = "user_id=" + Owner.ofCurrentProcess().uid();
        Optional<MountTable.Mount> m = MountTable.find(MountTable.canonical(mountpoint));
        if (m.isEmpty() || !m.get().source().startsWith(SOURCE + ":") || !isLiveAndOwnedBy(m.get(), uid)) {
            return Optional.empty();
        }
        return Optional.of(m.get().source().substring(SOURCE.length() + 1));
    }

    private static boolean isLiveAndOwnedBy(MountTable.Mount m, String uidOption) {
        return isStackshare(m) && java.util.Arrays.asList(m.options().split(",")).contains(uidOption)
                && !isStale(m.mountpoint());
    }

    /** Runs the first command; if it is not installed, the second. */
    private static Command.Result runFirstAvailable(String[] first, String[] fallback) throws IOException {
        try {
            return Command.run(first);
        } catch (IOException e) {
            log.debug("{} is not available ({}); using {}", first[0], e.getMessage(), fallback[0]);
            return Command.run(fallback);
        }
    }
}
