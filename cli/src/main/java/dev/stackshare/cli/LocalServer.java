package dev.stackshare.cli;

import dev.stackshare.client.ServerClient;
import dev.stackshare.server.StateDir;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** The developer's running server, found through its state dir: what publish, snapshots and gc talk to. */
final class LocalServer {
    private LocalServer() {
    }

    record Found(String url, ServerClient client) {
    }

    static Found find(Path stateDir, Duration timeout) throws IOException {
        Path dir = stateDir == null ? Paths.defaultStateDir() : Paths.absolute(stateDir);
        StateDir state = StateDir.open(dir);
        StateDir.ServerInfo info = state.readServerInfo().orElseThrow(() -> new UserError(
                "no server is running for state dir " + dir + "; start one with `stackshare serve` (and the same --state-dir)"));
        return new Found(info.url(), new ServerClient(URI.create(info.url()), state.loadOrCreateToken(), timeout));
    }
}
