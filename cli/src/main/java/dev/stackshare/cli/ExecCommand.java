package dev.stackshare.cli;

import dev.stackshare.client.MountOptions;
import dev.stackshare.client.MountLinger;
import dev.stackshare.client.MountedSnapshot;
import dev.stackshare.client.Mounter;
import dev.stackshare.client.Mounts;
import dev.stackshare.client.ServerClient;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "exec",
        mixinStandardHelpOptions = true,
        description = {
            "Run a command inside the developer's captured environment, from a snapshot.",
            "",
            "Reuses this user's mount of the snapshot on the node if there is one, else mounts it",
            "privately for the command and unmounts it afterwards. The command gets the recorded",
            "environment with every path under an exported root rewritten into the mount, and",
            "its exit code is passed through.",
            "",
            "--same-paths instead runs the command in a private mount namespace where each root",
            "appears at its original absolute path, so #! lines, RPATHs and paths written into",
            "files work unchanged (root, or an ordinary user where the kernel allows user",
            "namespaces). Rewriting alone cannot reach paths inside files: see docs/exec.md.",
        })
final class ExecCommand implements Callable<Integer> {
    @Mixin
    ServerOptions serverOptions;

    @Mixin
    FetchDeadlineOption fetchDeadline;

    @Option(names = "--same-paths", description = "Show each root at its original path (private mount namespace); fail if the node cannot.")
    boolean samePaths;

    @Option(names = "--same-paths-if-possible",
            description = "Like --same-paths, but fall back to rewritten paths (with a warning) where the node cannot.")
    boolean samePathsIfPossible;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Duration deadline = fetchDeadline.value(); // a bad value is refused before anything is fetched
        String token = serverOptions.token();
        Snapshot snapshot = new ServerClient(serverOptions.urls(), token, Duration.ofSeconds(30))
                .snapshot(serverOptions.snapshot);
        boolean root = isRoot();
        boolean inNamespace = samePaths || samePathsIfPossible;
        if (inNamespace) {
            try {
                SamePaths.checkAvailable(root);
            } catch (UserError e) {
                if (samePaths) {
                    throw e;
                }
                System.err.println("stackshare: warning: " + e.getMessage() + "; using rewritten paths");
                inNamespace = false;
            }
        }

        Optional<Path> existing = Mounts.findLiveMount(snapshot.id());
        MountedSnapshot own = null;
        Path mount;
        MountLinger linger = null;
        Duration lingered = null;
        if (existing.isPresent()) {
            mount = existing.get();
            // One more user while the job runs, so a lingering mount cannot go under it; it lingers again after.
            linger = MountLinger.of(serverOptions.cache(), mount);
            lingered = linger.join();
        } else {
            mount = Files.createTempDirectory("stackshare-exec-");
            own = Mounter.mount(new MountOptions(serverOptions.urls(), token, snapshot.id(), serverOptions.cache(), mount,
                    MountOptions.MEMORY_CACHE_FITTED).withFetchDeadline(deadline));
        }
        SamePaths.Plan plan = null;
        try {
            Map<String, String> env = LauncherEnvironment.original(System.getenv());
            env.remove(Tokens.ENV); // the job needs the mount, not the key to the developer's server
            env.putAll(SnapshotEnvironment.forJob(snapshot, inNamespace ? null : mount));
            env.put("STACKSHARE_MOUNT", mount.toString());
            env.put("STACKSHARE_SNAPSHOT", snapshot.id());
            List<String> cmd;
            if (inNamespace) {
                plan = SamePaths.plan(mount, SnapshotEnvironment.rootPaths(snapshot), command, root);
                cmd = plan.command();
            } else {
                cmd = new ArrayList<>(command);
                cmd.set(0, onPath(command.get(0), env.get("PATH")));
            }
            return run(cmd, env);
        } finally {
            if (own != null) {
                own.close();
                Files.deleteIfExists(mount);
            }
            if (linger != null) {
                linger.leave(lingered);
            }
            if (plan != null) {
                Files.deleteIfExists(plan.scratch());
            }
        }
    }

    private static int run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(cmd).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(env);
        Process child = builder.start();
        Thread stop = new Thread(child::destroy, "stackshare-exec-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return child.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running
            }
        }
    }

    /**
     * Finds the command on the job's PATH (Java would search the PATH of this process, which
     * has not got the snapshot's directories).
     */
    static String onPath(String name, String path) {
        if (name.contains("/")) {
            return name;
        }
        return Stream.of(path == null ? new String[0] : path.split(":"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                .findFirst()
                .map(Path::toString)
                .orElseThrow(() -> new UserError("command '" + name + "' is not on the snapshot's PATH nor this node's"));
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }
}
