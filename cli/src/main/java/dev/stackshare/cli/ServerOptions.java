package dev.stackshare.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How a batch-node command finds its server and snapshot; shared by mount, env and exec. */
final class ServerOptions {
    @Option(names = "--server", paramLabel = "URL[,URL...]", defaultValue = "${env:STACKSHARE_SERVER}",
            description = "Server URL as `stackshare serve` printed it (default: $STACKSHARE_SERVER). Several, "
                    + "comma-separated: HTTP caches first, the origin last; content comes from the first that answers "
                    + "(the next on a connection error or 5xx), views and trace uploads from the origin.")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the server's token (the server's STATE/token). "
                    + "Default: $STACKSHARE_TOKEN (the token itself), else the local state dir's token.")
    Path tokenFile;

    @Option(names = "--snapshot", paramLabel = "ID|VIEW", defaultValue = "${env:STACKSHARE_SNAPSHOT:-latest}",
            description = "Snapshot id, a view name, or `latest` (default: $STACKSHARE_SNAPSHOT, else ${DEFAULT-VALUE}).")
    String snapshot;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "On-disk object cache, shared by every mount of this user (default: ${XDG_CACHE_HOME:-~/.cache}/stackshare, "
                    + "mode 0700). A directory of a group you are in, with full access for the group and none for "
                    + "others, is a node-wide cache shared with that group (see docs/operations.md).")
    Path cacheDir;

    /** The --server URLs in order: HTTP caches first, the origin last. */
    List<URI> urls() {
        if (server == null || server.isBlank()) {
            throw new UserError("no server: give --server URL (as `stackshare serve` printed it) or set STACKSHARE_SERVER");
        }
        List<URI> urls = new ArrayList<>();
        for (String one : server.split(",", -1)) {
            if (one.isBlank()) {
                throw new UserError("--server '" + server + "' has an empty URL; give URLs separated by single commas, "
                        + "HTTP caches first and the origin last");
            }
            URI url = url(one.strip());
            if (urls.contains(url)) {
                throw new UserError("--server names " + url + " twice");
            }
            urls.add(url);
        }
        return urls;
    }

    private static URI url(String server) {
        URI url;
        try {
            url = URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
        } catch (IllegalArgumentException e) {
            throw new UserError("--server '" + server + "' is not a URL; it looks like http://host:7878");
        }
        if (url.getScheme() == null || !url.getScheme().equals("http") || url.getHost() == null) {
            throw new UserError("--server '" + server + "' is not an http://host:port URL");
        }
        return url;
    }

    String token() throws IOException {
        return Tokens.resolve(tokenFile);
    }

    Path cache() {
        return cacheDir == null ? Paths.defaultCacheDir() : Paths.absolute(cacheDir);
    }
}
