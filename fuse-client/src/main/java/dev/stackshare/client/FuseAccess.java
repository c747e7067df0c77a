package dev.stackshare.client;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before anything is fetched, that this user can mount FUSE on this node, so a node that
 * cannot says in one line what it lacks and who can fix it, instead of a libfuse error deep in a log.
 *
 * <p>What libfuse2 (the library jnr-fuse binds) does: it opens {@code /dev/fuse} and calls mount(2);
 * only root may, so for anyone else it then runs the setuid-root {@code fusermount}
 * ({@code /bin/fusermount}, its compiled-in place, else the first on PATH; Debian's fuse3 provides
 * it), which mounts on the user's behalf. When it cannot open {@code /dev/fuse} it gives up without
 * trying fusermount, so an ordinary user needs the device readable and writable: mode 0666, as the
 * standard udev rule makes it.
 */
final class FuseAccess {
    static final Path DEV_FUSE = Path.of("/dev/fuse");
    /** Where Debian's libfuse2 runs fusermount from before it searches PATH. */
    static final Path LIBFUSE_FUSERMOUNT = Path.of("/bin/fusermount");
    private static final String SEE_DOCS = " (see docs/operations.md, \"What a node needs\")";

    private final Path devFuse;
    private final List<Path> fusermountCandidates;
    private final ProcessCredentials me;
    private final String userName;
    private final List<MountTable.Mount> mounts;

    FuseAccess(Path devFuse, List<Path> fusermountCandidates, ProcessCredentials me, String userName,
               List<MountTable.Mount> mounts) {
        this.devFuse = devFuse;
        this.fusermountCandidates = List.copyOf(fusermountCandidates);
        this.me = me;
        this.userName = userName;
        this.mounts = List.copyOf(mounts);
    }

    /** Checks this process on this node; throws a {@link ClientException} that says what is missing. */
    static void check() throws IOException {
        new FuseAccess(DEV_FUSE, fusermountCandidates(System.getenv("PATH")), ProcessCredentials.current(),
                System.getProperty("user.name"), MountTable.read()).verify();
    }

    /** Where libfuse2 looks for fusermount, in its order. */
    static List<Path> fusermountCandidates(String pathVariable) {
        List<Path> candidates = new ArrayList<>(List.of(LIBFUSE_FUSERMOUNT));
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "fusermount"));
                }
            }
        }
        return candidates;
    }

    void verify() throws IOException {
        if (!Files.exists(devFuse)) {
            throw unavailable("no " + devFuse + " on this node, so FUSE cannot be mounted: the fuse kernel module is not "
                    + "loaded or the container was started without the device; ask the node's admin to load it "
                    + "(modprobe fuse) or to start the container with --device /dev/fuse" + SEE_DOCS);
        }
        if (me.isRoot()) {
            return; // root's libfuse mounts with mount(2) itself
        }
        if (!Files.isReadable(devFuse) || !Files.isWritable(devFuse)) {
            throw unavailable(devFuse + " has mode " + Modes.octal(devFuse) + " (owner " + Modes.owner(devFuse)
                    + "), so user " + userName + " cannot open it and libfuse cannot mount; a node needs it mode 0666, "
                    + "as the standard udev rule makes it: ask the node's admin to run chmod 0666 " + devFuse + SEE_DOCS);
        }
        Path fusermount = fusermount().orElseThrow(() -> unavailable("no fusermount on this node (looked at "
                + LIBFUSE_FUSERMOUNT + " and on PATH): ordinary users mount FUSE through the setuid fusermount; "
                + "ask the node's admin to install fuse3 (Debian: apt-get install fuse3)" + SEE_DOCS));
        Path real = fusermount.toRealPath();
        int mode = Modes.mode(real);
        if (Modes.uid(real) != 0 || (mode & Modes.SETUID) == 0) {
            throw unavailable("fusermount (" + real + ") has mode " + Modes.octal(real) + " and owner "
                    + Modes.owner(real) + ": it is not setuid root, so it cannot mount for user " + userName
                    + "; ask the node's admin to restore it with chown root " + real + " && chmod 4755 " + real
                    + " (or reinstall fuse3)" + SEE_DOCS);
        }
        if (me.noNewPrivs()) {
            throw unavailable("this process runs with no_new_privs (NoNewPrivs: 1 in /proc/self/status), so the setuid "
                    + "fusermount runs without root and cannot mount; run the mount outside that sandbox (a container "
                    + "started with no-new-privileges, a systemd unit with NoNewPrivileges=yes)" + SEE_DOCS);
        }
        Optional<MountTable.Mount> holding = MountTable.containing(mounts, real);
        if (holding.isPresent() && Arrays.asList(holding.get().options().split(",")).contains("nosuid")) {
            throw unavailable("fusermount (" + real + ") is on a filesystem mounted nosuid ("
                    + holding.get().mountpoint() + "), so it runs without root and cannot mount for user " + userName
                    + "; ask the node's admin to install fuse3 on a filesystem without nosuid" + SEE_DOCS);
        }
    }

    /** The fusermount libfuse would run: the first candidate that exists and that this user may execute. */
    Optional<Path> fusermount() {
        for (Path candidate : fusermountCandidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static ClientException unavailable(String message) {
        return new ClientException(ClientException.FUSE_UNAVAILABLE, message);
    }
}
