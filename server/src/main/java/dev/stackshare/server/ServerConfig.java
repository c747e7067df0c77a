package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code stackshare serve} was asked to do.
 *
 * @param roots    directories to export, absolute and normalized but not resolved through
 *                 symlinks: each root appears in the mount under exactly this path
 * @param listen   where to accept connections; port 0 picks a free port
 * @param stateDir where the token, the frozen store and the snapshot records live; null means
 *                 {@link StateDir#defaultDir()}
 * @param view     the view the first snapshot and every publish without a view name go to;
 *                 null means {@link Api#DEFAULT_VIEW}
 * @param excludes globs of entries left out of every snapshot ({@link Excludes})
 * @param environment the developer's environment recorded in every snapshot
 * @param tls      how to speak TLS, or null for plain HTTP
 */
public record ServerConfig(List<Path> roots, InetSocketAddress listen, Path stateDir, String view,
                           List<String> excludes, Map<String, String> environment, TlsConfig tls) {
    public ServerConfig {
        roots = List.copyOf(Objects.requireNonNull(roots, "roots"));
        Objects.requireNonNull(listen, "listen");
        stateDir = stateDir == null ? StateDir.defaultDir() : stateDir;
        view = view == null ? Api.DEFAULT_VIEW : view;
        excludes = excludes == null ? List.of() : List.copyOf(excludes);
        environment = environment == null ? Map.of() : Map.copyOf(environment);
    }

    /** Plain HTTP. */
    public ServerConfig(List<Path> roots, InetSocketAddress listen, Path stateDir, String view,
                        List<String> excludes, Map<String, String> environment) {
        this(roots, listen, stateDir, view, excludes, environment, null);
    }

    /** The same, speaking TLS as {@code tls} says (null: plain HTTP). */
    public ServerConfig withTls(TlsConfig tls) {
        return new ServerConfig(roots, listen, stateDir, view, excludes, environment, tls);
    }

    /** Roots only: no excludes, no recorded environment. */
    public ServerConfig(List<Path> roots, InetSocketAddress listen, Path stateDir, String view) {
        this(roots, listen, stateDir, view, List.of(), Map.of());
    }
}
