package dev.stackshare.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A private sshd on a loopback port, key-only, for the sshfs, rsync and tar-over-ssh
 * scenarios. Debian's openssh-server; the suite starts and stops it itself.
 */
final class SshServer implements AutoCloseable {
    private final Path dir;
    private final Process sshd;
    private final int port;

    private SshServer(Path dir, Process sshd, int port) {
        this.dir = dir;
        this.sshd = sshd;
        this.port = port;
    }

    static SshServer start(Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/sbin/sshd"))) {
            throw new BenchException("sshd is missing: install openssh-server (scripts/bench.sh does)");
        }
        Files.createDirectories(dir);
        Proc.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString()),
                Map.of(), 60).requireOk("making the sshd host key");
        Proc.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString()),
                Map.of(), 60).requireOk("making the client key");
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        int port = freePort();
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UsePAM no",
                "PidFile " + dir.resolve("sshd.pid"),
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR",
                ""));
        Files.createDirectories(Path.of("/run/sshd"));
        Process sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        SshServer server = new SshServer(dir, sshd, port);
        server.awaitListening();
        return server;
    }

    int port() {
        return port;
    }

    /** ssh options for a client that connects through {@code port} (a relay in front of this sshd). */
    List<String> clientOptions(int viaPort) {
        return List.of("-p", Integer.toString(viaPort), "-i", dir.resolve("client_key").toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "BatchMode=yes");
    }

    /** The same options as one string, for {@code rsync -e} and {@code sshfs -o ssh_command}. */
    String clientCommand(int viaPort) {
        return "ssh " + String.join(" ", clientOptions(viaPort));
    }

    Path identity() {
        return dir.resolve("client_key");
    }

    String user() {
        return System.getProperty("user.name");
    }

    private void awaitListening() throws IOException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                if (!sshd.isAlive()) {
                    throw new BenchException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(25);
            }
        }
        throw new BenchException("sshd did not listen on port " + port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        sshd.destroy();
    }
}
