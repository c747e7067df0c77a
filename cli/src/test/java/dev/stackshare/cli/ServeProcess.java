package dev.stackshare.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code stackshare serve} run through the launcher as its own process, so a test can kill it
 * (SIGKILL) and start it again on the same state dir and port, as a developer's restart would.
 */
final class ServeProcess implements AutoCloseable {
    private final Process process;
    private final String url;
    private final String firstSnapshot;

    private ServeProcess(Process process, String url, String firstSnapshot) {
        this.process = process;
        this.url = url;
        this.firstSnapshot = firstSnapshot;
    }

    /** Starts serve and returns once it printed its URL and first snapshot; {@code port} 0 picks one. */
    static ServeProcess start(Path root, Path stateDir, int port, Path log) throws IOException {
        return start(root, stateDir, port, log, Map.of());
    }

    /** As {@link #start(Path, Path, int, Path)}, with more variables in its environment. */
    static ServeProcess start(Path root, Path stateDir, int port, Path log, Map<String, String> env) throws IOException {
        return start(List.of("--root", root.toString(), "--listen", "127.0.0.1:" + port, "--state-dir", stateDir.toString()),
                env, log);
    }

    /** As {@link #start(Path, Path, int, Path)}, with {@code args} after `serve` and {@code env} added to its environment. */
    static ServeProcess start(List<String> args, Map<String, String> env, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(CliIT.LAUNCHER.toString(), "serve"));
        cmd.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Process p = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> printed = new HashMap<>();
        for (String line; !printed.containsKey("snapshot") && (line = out.readLine()) != null; ) {
            String[] parts = line.split("\\s+", 2);
            printed.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        if (!printed.containsKey("snapshot") || !printed.containsKey("serving")) {
            p.destroyForcibly();
            throw new IOException("serve did not start; it printed " + printed + "; log:\n" + Files.readString(log));
        }
        return new ServeProcess(p, printed.get("serving"), printed.get("snapshot"));
    }

    String url() {
        return url;
    }

    int port() {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    String firstSnapshot() {
        return firstSnapshot;
    }

    /** SIGKILL: no shutdown hook, no goodbye; returns once the process is gone and its port is closed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        for (int i = 0; i < 100 && accepts(); i++) {
            Thread.sleep(50);
        }
    }

    /** SIGSTOP: the process is frozen, its socket still takes connections but nothing answers (a hung server). */
    void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** SIGCONT: the frozen process goes on. */
    void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String which) throws IOException, InterruptedException {
        Sh.Result r = Sh.run(List.of("kill", which, Long.toString(process.pid())));
        if (r.exit() != 0) {
            throw new IOException("kill " + which + " failed: " + r);
        }
    }

    boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                thaw(); // a frozen process would not act on SIGTERM
            } catch (IOException e) {
                // gone meanwhile
            }
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
