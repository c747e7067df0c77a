package dev.stackshare.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@code serve} speaks TLS: with the user's certificate and key (PEM files), or with a
 * self-signed pair kept in the state dir, whose SHA-256 fingerprint clients pin. A server
 * without a {@code TlsConfig} speaks plain HTTP.
 */
public sealed interface TlsConfig {
    /** The user's certificate chain and private key (PKCS#8 or PKCS#1), both PEM. */
    record Pem(Path certificate, Path privateKey) implements TlsConfig {
        public Pem {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    /** A pair made at the first start and kept in {@code STATE/tls}, so the pin outlives restarts. */
    record SelfSigned() implements TlsConfig {
    }
}
