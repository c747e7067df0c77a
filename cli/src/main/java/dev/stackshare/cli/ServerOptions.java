package dev.stackshare.cli;

import dev.stackshare.client.TlsPin;
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

    @Option(names = "--tls-pin", paramLabel = "SHA256", defaultValue = "${env:STACKSHARE_TLS_PIN}",
            description = "SHA-256 fingerprint the https server's certificate must have (default: $STACKSHARE_TLS_PIN, "
                    + "else the URL's #sha256=HEX, as `stackshare serve --tls` prints it). Without a pin, https "
                    + "trusts the JVM's certificate authorities.")
    String tlsPin;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the server's token (the server's STATE/token). "
                    + "Default: $STACKSHARE_TOKEN (the token itself), else the local state dir's token.")
    Path tokenFile;

    static final String TOKEN_STDIN = "--token-stdin";

    @Option(names = TOKEN_STDIN, hidden = true,
            description = "Internal: read the token from the first line of standard input (a background mount's pipe).")
    boolean tokenFromStdin;

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
        String[] parts = server.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String one = parts[i];
            if (one.isBlank()) {
                throw new UserError("--server '" + server + "' has an empty URL; give URLs separated by single commas, "
                        + "HTTP caches first and the origin last");
            }
            // --tls-pin is the origin's (the last URL): caches in front are asked as they are.
            URI url = url(one.strip(), i == parts.length - 1 ? tlsPin : null);
            if (urls.stream().anyMatch(u -> TlsPin.withoutFragment(u).equals(TlsPin.withoutFragment(url)))) {
                throw new UserError("--server names " + TlsPin.withoutFragment(url) + " twice");
            }
            urls.add(url);
        }
        return urls;
    }

    /** One server URL with its pin, if any, in the fragment, where {@code ServerClient} looks for it. */
    static URI url(String server, String tlsPin) {
        URI url;
        try {
            String plain = server.strip();
            url = URI.create(plain.endsWith("/") ? plain.substring(0, plain.length() - 1) : plain);
        } catch (IllegalArgumentException e) {
            throw new UserError("--server '" + server + "' is not a URL; it looks like http://host:7878");
        }
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new UserError("--server '" + server + "' is not an http://host:port or https://host:port URL");
        }
        try {
            TlsPin inUrl = TlsPin.of(url);
            if (tlsPin != null && !tlsPin.isBlank()) {
                url = TlsPin.parse(tlsPin).in(url);
            } else if (inUrl == null) {
                url = TlsPin.withoutFragment(url);
            }
        } catch (IllegalArgumentException e) {
            throw new UserError("bad TLS pin: " + e.getMessage());
        }
        if (TlsPin.of(url) != null && !scheme.equals("https")) {
            throw new UserError("--server '" + server + "' has a TLS pin but is not an https:// URL");
        }
        return url;
    }

    String token() throws IOException {
        if (tokenFromStdin) {
            return Tokens.fromStdin();
        }
        return Tokens.resolve(tokenFile);
    }

    Path cache() {
        return Paths.cacheDir(cacheDir);
    }
}
