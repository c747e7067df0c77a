package dev.stackshare.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command in a private mount namespace where every root of the snapshot appears at its
 * original absolute path, so shebangs, RPATHs and paths inside config files work unchanged.
 *
 * <p>Root uses a plain mount namespace; an ordinary user gets one inside an unprivileged user
 * namespace that maps them to themselves. A root whose path exists on the node is bind-mounted
 * over it. A root whose path is missing needs its missing directories made: the deepest
 * existing parent gets a writable overlay (its own content stays visible underneath, changes go
 * to a private tmpfs and vanish with the namespace). The mount is reached through an open
 * descriptor, because an overlay can hide the mountpoint's own path.
 */
final class SamePaths {
    private SamePaths() {
    }

    /** How the command must be started, and the private directory to delete afterwards. */
    record Plan(List<String> command, Path scratch) {
    }

    static Plan plan(Path mount, List<String> rootPaths, List<String> command, boolean root) throws IOException {
        Path scratch = Files.createTempDirectory("stackshare-ns-");
        StringBuilder script = new StringBuilder("set -e\nexec 9<").append(quote(mount.toString())).append('\n');
        Set<Path> overlays = new LinkedHashSet<>();
        List<Path> roots = rootPaths.stream().map(Path::of).sorted(Comparator.comparingInt(Path::getNameCount)).toList();
        for (Path r : roots) {
            if (!Files.isDirectory(r)) {
                Path parent = existingParent(r);
                if (parent.getNameCount() == 0) {
                    throw new UserError("--same-paths cannot show " + r + " on this node: /" + r.getName(0)
                            + " does not exist and / cannot be overlaid; create /" + r.getName(0)
                            + " on the node, or run without --same-paths");
                }
                checkOverlayPath(parent);
                if (overlays.stream().noneMatch(parent::startsWith)) {
                    overlays.removeIf(o -> o.startsWith(parent));
                    overlays.add(parent);
                }
            }
        }
        if (!overlays.isEmpty()) {
            script.append("mount -t tmpfs stackshare-ns ").append(quote(scratch.toString())).append('\n');
            script.append("exec 8<").append(quote(scratch.toString())).append('\n');
            int i = 0;
            for (Path dir : overlays) {
                String upper = "/proc/self/fd/8/u" + i;
                String work = "/proc/self/fd/8/w" + i;
                script.append("mkdir ").append(upper).append(' ').append(work).append('\n');
                script.append("mount -t overlay stackshare-overlay -o lowerdir=").append(quote(dir.toString()))
                        .append(",upperdir=").append(upper).append(",workdir=").append(work).append(' ')
                        .append(quote(dir.toString())).append('\n');
                i++;
            }
        }
        for (Path r : roots) {
            script.append("mkdir -p ").append(quote(r.toString())).append('\n');
            script.append("mount --bind /proc/self/fd/9").append(quote(r.toString())).append(' ')
                    .append(quote(r.toString())).append('\n');
        }
        script.append("exec 8<&- 9<&-\n");
        // Re-enter the working directory: an overlay or bind may now sit under it.
        script.append("cd \"$PWD\" 2>/dev/null || true\n");
        script.append(root ? "exec \"$@\"\n"
                : "if command -v setpriv >/dev/null; then exec setpriv --inh-caps=-all --ambient-caps=-all -- \"$@\"; fi\n"
                        + "exec \"$@\"\n");

        List<String> cmd = new ArrayList<>(unshare(root));
        cmd.addAll(List.of("/bin/sh", "-c", script.toString(), "stackshare-exec"));
        cmd.addAll(command);
        return new Plan(cmd, scratch);
    }

    /**
     * Checks that this node lets us make a private mount namespace; the message names the
     * setting to change when it does not.
     */
    static void checkAvailable(boolean root) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            throw new UserError("--same-paths needs unshare (util-linux), which this node lacks; install util-linux"
                    + " or run without --same-paths");
        }
        List<String> probe = new ArrayList<>(unshare(root));
        probe.add("true");
        Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new UserError(root ? "--same-paths: cannot make a mount namespace (" + out + ")"
                    : "--same-paths: this node does not let ordinary users make user namespaces (" + out + "); "
                            + whyNoUserNamespaces() + ", or run without --same-paths (paths are then rewritten"
                            + " in the environment only)");
        }
    }

    private static String whyNoUserNamespaces() {
        String debian = read("/proc/sys/kernel/unprivileged_userns_clone");
        if ("0".equals(debian)) {
            return "an admin can allow them with sysctl kernel.unprivileged_userns_clone=1";
        }
        String max = read("/proc/sys/user/max_user_namespaces");
        if ("0".equals(max)) {
            return "an admin can allow them with sysctl user.max_user_namespaces=15000";
        }
        String apparmor = read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        if ("1".equals(apparmor)) {
            return "AppArmor restricts them: an admin can set sysctl kernel.apparmor_restrict_unprivileged_userns=0";
        }
        return "the kernel or a security module refuses CLONE_NEWUSER here; ask an admin";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static List<String> unshare(boolean root) {
        return root ? List.of("/usr/bin/unshare", "--mount", "--propagation", "private", "--")
                : List.of("/usr/bin/unshare", "--user", "--map-current-user", "--keep-caps", "--mount",
                        "--propagation", "private", "--");
    }

    private static Path existingParent(Path p) {
        Path dir = p;
        while (dir.getParent() != null && !Files.isDirectory(dir)) {
            dir = dir.getParent();
        }
        return dir;
    }

    private static void checkOverlayPath(Path dir) {
        String s = dir.toString();
        if (s.contains(",") || s.contains(":") || s.contains("\\")) {
            throw new UserError("--same-paths cannot overlay " + s + ": overlayfs options cannot name a path with"
                    + " ',', ':' or '\\'; create the missing directories below it on the node instead");
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
