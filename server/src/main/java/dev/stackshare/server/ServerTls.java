package dev.stackshare.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.HexFormat;

/**
 * The server side of TLS: a Netty {@link SslContext} from PEM files, and the SHA-256
 * fingerprint of the server's certificate, which clients pin ({@code https://host:port/#sha256=HEX}).
 *
 * @param context     makes one {@code SslHandler} a connection
 * @param fingerprint lowercase hex SHA-256 of the leaf certificate's DER encoding
 */
record ServerTls(SslContext context, String fingerprint) {
    /** The pair a {@link TlsConfig} names; a self-signed one is made in {@code tlsDir} first if needed. */
    static ServerTls of(TlsConfig config, Path tlsDir) throws IOException {
        TlsConfig.Pem pem = config instanceof TlsConfig.Pem p ? p : SelfSignedPair.loadOrCreate(tlsDir);
        checkKey(pem.privateKey());
        String fingerprint = fingerprint(pem.certificate());
        SslContext context;
        try {
            context = SslContextBuilder.forServer(pem.certificate().toFile(), pem.privateKey().toFile()).build();
        } catch (IOException | IllegalArgumentException e) {
            throw new ServerException("cannot use TLS key " + pem.privateKey() + " with certificate " + pem.certificate()
                    + ": " + firstLine(e) + "; give a PEM key (PKCS#8 or PKCS#1) that belongs to the certificate", e);
        }
        return new ServerTls(context, fingerprint);
    }

    /** SHA-256 of the first (leaf) certificate in a PEM file. */
    static String fingerprint(Path certificate) throws IOException {
        Collection<? extends Certificate> chain;
        try (InputStream in = Files.newInputStream(certificate)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new ServerException("TLS certificate " + certificate + " does not exist; check --tls-cert", e);
        } catch (GeneralSecurityException e) {
            throw new ServerException("TLS certificate " + certificate + " is not a PEM certificate: " + firstLine(e), e);
        }
        if (chain.isEmpty()) {
            throw new ServerException("TLS certificate " + certificate + " holds no certificate; check --tls-cert");
        }
        try {
            byte[] der = chain.iterator().next().getEncoded();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (GeneralSecurityException e) {
            throw new ServerException("cannot read TLS certificate " + certificate + ": " + firstLine(e), e);
        }
    }

    /** A key anyone on the host can read is no longer secret: refuse it, as the token file is refused. */
    private static void checkKey(Path key) throws IOException {
        if (!Files.exists(key)) {
            throw new ServerException("TLS key " + key + " does not exist; check --tls-key");
        }
        if (Files.getPosixFilePermissions(key).contains(PosixFilePermission.OTHERS_READ)) {
            throw new ServerException("TLS key " + key + " is readable by every user of this host; make it private "
                    + "with chmod o-r " + key + " (and replace it if others may have read it)");
        }
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
