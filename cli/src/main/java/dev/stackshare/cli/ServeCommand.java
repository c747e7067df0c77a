package dev.stackshare.cli;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Snapshot;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import dev.stackshare.server.TlsConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Export directories as immutable snapshots over HTTP and keep serving.",
            "",
            "Takes a first snapshot at start and prints the server URL, the token file and the",
            "snapshot id. A root that is a git working tree (has .git) is frozen at publish: its",
            "content is copied into the state dir, so edits after a publish never change that",
            "snapshot. Other roots are read in place and checked against their digests.",
            "Stop with Ctrl-C or SIGTERM.",
        })
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR",
            description = "A directory to export (repeat for more). It appears under the same absolute path in the mount. "
                    + "Without --root, the set-up of this shell is exported: every set-up eups product, the conda "
                    + "prefix, and search-path directories outside the system.")
    List<Path> roots = new ArrayList<>();

    @Option(names = "--capture-env",
            description = "Export this shell's set-up (eups, conda, search paths) as well as the --root dirs.")
    boolean captureEnv;

    @Option(names = "--exclude", paramLabel = "GLOB",
            description = "Leave out entries (and roots) matching GLOB: without '/' it matches names anywhere "
                    + "('__pycache__', '*.o'), with '/' absolute paths ('/home/a/stack/tests/**'). Repeatable.")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--keep-env", paramLabel = "NAME", split = ",",
            description = "Record variable NAME as it is, though it looks like a secret (repeatable, or NAME,NAME; "
                    + "in the config file `keep-env: NAME,NAME`). Otherwise the recorded environment leaves out a "
                    + "variable whose name has a part PAT or PWD, or holds PASS, SECRET, TOKEN, AUTH, CREDENTIAL, "
                    + "PRIVATE, COOKIE or SESSION_ID, or a part ending in KEY (API_KEY, APIKEY); a variable whose "
                    + "value holds password= or pwd=; and passwords in URLs (http://user:pw@proxy:3128 is "
                    + "recorded as http://proxy:3128). --dry-run lists what these rules drop or change. Host and "
                    + "session variables (HOME, SSH_*, ...) are never recorded. The exact rules: docs/exec.md.")
    List<String> keepEnv = new ArrayList<>();

    @Option(names = "--dry-run",
            description = "List the roots, their kind and size, and the variables the recorded environment drops or "
                    + "changes (names and rules, never values); exit without serving.")
    boolean dryRun;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:0",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, all interfaces on a free port). "
                    + "Port 0 picks a free port; the chosen one is printed and recorded in the state dir.")
    String listen;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Holds the token, the snapshots and the frozen objects (default: ${XDG_STATE_HOME:-~/.local/state}/stackshare).")
    Path stateDir;

    @Option(names = "--tls",
            description = "Speak HTTPS with a self-signed certificate made at the first start and kept in the state "
                    + "dir (tls/, key mode 0600). The printed URL carries its SHA-256 fingerprint "
                    + "(https://host:port/#sha256=HEX), which clients pin.")
    boolean tls;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Speak HTTPS with this PEM certificate (chain); needs --tls-key. The printed URL pins it.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM private key of --tls-cert (not readable by others).")
    Path tlsKey;

    @Option(names = "--view", paramLabel = "NAME", defaultValue = Api.DEFAULT_VIEW,
            description = "View (line of snapshots) the first snapshot belongs to (default: ${DEFAULT-VALUE}).")
    String view;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, String> env = LauncherEnvironment.original(System.getenv());
        RecordedEnvironment.Capture recorded = RecordedEnvironment.capture(env, Set.copyOf(keepEnv));
        List<EnvironmentCapture.Root> selected = RootSelection.select(env, roots, captureEnv, excludes);
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            DryRun.print(selected, out);
            DryRun.print(recorded, out);
            return 0;
        }
        ServerConfig config = new ServerConfig(
                selected.stream().map(EnvironmentCapture.Root::path).toList(),
                parseListen(listen),
                stateDir == null ? Paths.defaultStateDir() : Paths.absolute(stateDir),
                Views.check(view),
                excludes,
                recorded.recorded(), tlsConfig());
        StackshareServer server = StackshareServer.start(config);
        // Ctrl-C and SIGTERM run the hook: it stops the server (idempotent) and lets call() return.
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "stackshare-serve-shutdown"));
        Snapshot first = server.firstSnapshot();
        out.println("serving    " + server.url());
        out.println("token file " + server.tokenFile());
        out.println("snapshot   " + first.id());
        out.println("export STACKSHARE_SERVER=" + server.url() + " STACKSHARE_SNAPSHOT=" + first.id());
        out.flush();
        stopped.await();
        return 0;
    }

    private TlsConfig tlsConfig() {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new UserError("--tls-cert and --tls-key go together: give both PEM files, or --tls for a self-signed pair");
        }
        if (tlsCert != null && tls) {
            throw new UserError("give either --tls (a self-signed pair) or --tls-cert/--tls-key, not both");
        }
        if (tlsCert != null) {
            return new TlsConfig.Pem(Paths.absolute(tlsCert), Paths.absolute(tlsKey));
        }
        return tls ? new TlsConfig.SelfSigned() : null;
    }

    static InetSocketAddress parseListen(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new UserError("--listen wants HOST:PORT (for example 0.0.0.0:7878 or 127.0.0.1:0), got '" + value + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UserError("--listen port must be a number in 0..65535, got '" + value.substring(colon + 1) + "'");
        }
        if (port < 0 || port > 65535) {
            throw new UserError("--listen port must be in 0..65535, got " + port);
        }
        return new InetSocketAddress(host, port);
    }
}
