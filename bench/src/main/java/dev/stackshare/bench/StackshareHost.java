package dev.stackshare.bench;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The developer's side: `stackshare serve` of the stack and the working tree, run by the launcher under test. */
final class StackshareHost implements AutoCloseable {
    private final Process serve;
    private final URI url;
    private final Path stateDir;
    private final String token;
    private final HttpClient http = HttpClient.newHttpClient();
    /** Publishes since the server's first snapshot: each moves `latest`, which the mounts take. */
    private int publishes;

    private StackshareHost(Process serve, URI url, Path stateDir) throws IOException {
        this.serve = serve;
        this.url = url;
        this.stateDir = stateDir;
        this.token = Files.readString(stateDir.resolve("token")).strip();
    }

    static StackshareHost start(Path launcher, List<Path> roots, Path stateDir) throws IOException {
        return start(launcher, roots, stateDir, "127.0.0.1:0", java.util.Map.of());
    }

    /** @param env added to the server's environment, e.g. {@code STACKSHARE_JAVA_OPTS} for its heap */
    static StackshareHost start(Path launcher, List<Path> roots, Path stateDir, String listen,
                                java.util.Map<String, String> env) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString(), "serve", "--listen", listen,
                "--state-dir", stateDir.toString()));
        for (Path root : roots) {
            cmd.add("--root");
            cmd.add(root.toString());
        }
        Path log = stateDir.resolveSibling("serve.log");
        Files.createDirectories(stateDir.getParent());
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(log.toFile());
        builder.environment().putAll(env);
        Process serve = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        URI url = null;
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("serving")) {
                url = URI.create(line.split("\\s+")[1]);
            } else if (line.startsWith("snapshot")) {
                return new StackshareHost(serve, url, stateDir);
            }
        }
        throw new BenchException("stackshare serve did not start: " + Proc.tail(Files.readString(log)));
    }

    URI url() {
        return url;
    }

    String token() {
        return token;
    }

    int port() {
        return url.getPort();
    }

    Path tokenFile() {
        return stateDir.resolve("token");
    }

    /** Counts a `stackshare publish` against this server (the scenario that ran it calls this). */
    void published() {
        publishes++;
    }

    /** How many publishes followed the first snapshot: a trace recorded before a publish is for an older snapshot. */
    int publishes() {
        return publishes;
    }

    Path stateDir() {
        return stateDir;
    }

    /** The server's process (the launcher execs the JVM, so this is the JVM). */
    long pid() {
        return serve.pid();
    }

    Api.ServerStats stats() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(url.resolve(Api.STATS))
                .header("Authorization", Api.BEARER + token).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new BenchException("server stats answered " + r.statusCode());
        }
        return Json.read(r.body(), Api.ServerStats.class);
    }

    @Override
    public void close() {
        serve.destroy();
        try {
            serve.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
