package dev.stackshare.server;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's own certificate for {@code serve --tls}: an EC P-256 key and a self-signed
 * certificate, made once and kept in {@code STATE/tls} ({@code key.pem} 0600, {@code cert.pem}),
 * so that a restarted server keeps the fingerprint that job scripts already carry.
 * Clients trust it by that fingerprint, not by a CA or a host name.
 */
final class SelfSignedPair {
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    /** Long: the pin, not the date, is what clients check; a renewal would break every job script. */
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private SelfSignedPair() {
    }

    /** The PEM files, made first if {@code dir} has none. */
    static TlsConfig.Pem loadOrCreate(Path dir) throws IOException {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        }
        if (Files.exists(key, LinkOption.NOFOLLOW_LINKS) && Files.exists(cert, LinkOption.NOFOLLOW_LINKS)) {
            checkPrivate(key);
            return new TlsConfig.Pem(cert, key);
        }
        KeyPair pair = newKeyPair();
        X509Certificate certificate = selfSign(pair);
        // Key first, each written to a 0600 temp file and renamed: never readable by others, never half-written.
        write(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        try {
            write(cert, pem("CERTIFICATE", certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new ServerException("cannot encode the self-signed certificate: " + e.getMessage(), e);
        }
        return new TlsConfig.Pem(cert, key);
    }

    private static void checkPrivate(Path key) throws IOException {
        if (Files.isSymbolicLink(key)) {
            throw new ServerException("TLS key " + key + " is a symlink; delete it and start the server again");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key, LinkOption.NOFOLLOW_LINKS);
        if (!OWNER_ONLY_FILE.containsAll(perms)) {
            throw new ServerException("TLS key " + key + " is open to other users (" + PosixFilePermissions.toString(perms)
                    + "); if others may have read it, delete " + key.getParent() + " for a new pair (and a new pin), "
                    + "else chmod 600 " + key);
        }
    }

    private static KeyPair newKeyPair() throws ServerException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new ServerException("cannot make a TLS key: " + e.getMessage(), e);
        }
    }

    private static X509Certificate selfSign(KeyPair pair) throws ServerException {
        String host = hostName();
        X500Name name = new X500Name("CN=stackshare " + host.replaceAll("[,=+<>#;\"\\\\]", "_"));
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()).add(BigInteger.ONE), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)), name, pair.getPublic());
            // Names for tools that check them (curl --cacert); stackshare itself checks the pin.
            List<GeneralName> names = new ArrayList<>();
            names.add(new GeneralName(GeneralName.dNSName, "localhost"));
            if (!host.equals("localhost")) {
                names.add(new GeneralName(GeneralName.dNSName, host));
            }
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new ServerException("cannot make a self-signed TLS certificate: " + e.getMessage(), e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void write(Path file, String text) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName() + "-", "",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        try {
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // another start made it first; theirs wins
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
