package dev.stackshare.cli;

import static dev.stackshare.cli.CliIT.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * `serve --tls` and `--tls-cert/--tls-key` with the real launcher: a mount over TLS end to end,
 * every client command through the pinned URL, a wrong pin and plain HTTP refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {
    private static final String PIN_URL = "https://127\\.0\\.0\\.1:[1-9][0-9]*/#sha256=[0-9a-f]{64}";

    @TempDir
    static Path base;
    Path stack;
    Path state;
    Served served;
    Map<String, String> node;
    final List<Process> servers = new ArrayList<>();

    record Served(Process process, String url, String snapshot) {
        String pin() {
            return url.substring(url.indexOf("#sha256=") + 8);
        }

        /** host:port */
        String address() {
            URI u = URI.create(url);
            return u.getHost() + ":" + u.getPort();
        }
    }

    @BeforeAll
    void serveOverTls() throws Exception {
        stack = base.resolve("stack");
        state = base.resolve("state");
        Trees.stack(stack, 3L * 1024 * 1024 + 5);
        served = serve(state, "--tls");
        node = Map.of("STACKSHARE_TOKEN", Files.readString(state.resolve("token")).strip(),
                "XDG_CACHE_HOME", base.resolve("node-cache").toString());
    }

    @AfterAll
    void stop() throws Exception {
        for (Process p : servers) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Served serve(Path stateDir, String... tls) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(CliIT.LAUNCHER.toString(), "serve", "--root", stack.toString(),
                "--listen", "127.0.0.1:0", "--state-dir", stateDir.toString()));
        cmd.addAll(List.of(tls));
        Path log = base.resolve("serve-" + stateDir.getFileName() + "-" + servers.size() + ".log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        servers.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> printed = new HashMap<>();
        for (String line; !printed.containsKey("export") && (line = out.readLine()) != null; ) {
            String[] parts = line.split("\\s+", 2);
            printed.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        assertTrue(printed.containsKey("export"), "serve printed " + printed + "; log: " + Files.readString(log));
        String url = printed.get("serving");
        assertTrue(url.matches(PIN_URL), "the URL carries the pin: " + url);
        assertTrue(printed.get("export").startsWith("STACKSHARE_SERVER=" + url + " "), "the export line carries it too");
        return new Served(p, url, printed.get("snapshot"));
    }

    private static void stop(Served s) throws InterruptedException {
        s.process().destroy();
        assertTrue(s.process().waitFor(30, TimeUnit.SECONDS));
    }

    private Sh.Result ss(String... args) throws Exception {
        return CliIT.ss(node, args);
    }

    private static boolean mounted(Path dir) throws IOException {
        return Files.readString(Path.of("/proc/self/mounts")).contains(" " + dir + " ");
    }

    @Test
    void aMountOverTlsServesTheStackByteForByte() throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        Sh.Result m = ss("mount", "--server", served.url(), "--snapshot", served.snapshot(), mnt.toString());
        assertEquals(0, m.exit(), m.toString());
        try {
            String entry = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .filter(l -> l.split(" ")[1].equals(mnt.toString())).findFirst().orElseThrow();
            String options = entry.split(" ")[3];
            assertTrue(options.startsWith("ro,") && options.contains("default_permissions")
                    && !options.contains("allow_other"), "read-only, for the mounting user only: " + entry);
            Path inMount = mnt.resolve(stack.toString().substring(1));
            for (String file : List.of("bin/tool", "lib/python/stackpkg/util.py", "data/big.bin", "empty-file")) {
                assertArrayEquals(Files.readAllBytes(stack.resolve(file)), Files.readAllBytes(inMount.resolve(file)), file);
            }
        } finally {
            assertEquals(0, ss("unmount", mnt.toString()).exit());
        }
        assertFalse(mounted(mnt));
    }

    @Test
    void execEnvPublishSnapshotsAndGcAllGoThroughThePinnedUrl() throws Exception {
        Sh.Result exec = ss("exec", "--server", served.url(), "--", "sh", "-c",
                "cat \"$STACKSHARE_MOUNT" + stack + "/lib/python/stackpkg/__init__.py\"");
        assertEquals(0, exec.exit(), exec.toString());
        assertEquals("VALUE = 'from-the-stack'\n", exec.out());

        Sh.Result env = CliIT.ss(Map.of("STACKSHARE_TOKEN", node.get("STACKSHARE_TOKEN"),
                "STACKSHARE_SERVER", served.url()), "env", "--same-paths");
        assertEquals(0, env.exit(), env.toString());

        Sh.Result publish = ss("publish", "--state-dir", state.toString());
        assertEquals(0, publish.exit(), publish.toString());
        String id = publish.lastLine();
        assertTrue(publish.out().contains("export STACKSHARE_SERVER=" + served.url() + " STACKSHARE_SNAPSHOT=" + id),
                "publish's export line carries the pinned URL:\n" + publish.out());

        Sh.Result list = ss("snapshots", "--state-dir", state.toString());
        assertEquals(0, list.exit(), list.toString());
        assertTrue(list.out().contains(id), list.out());
        Sh.Result gc = ss("gc", "--keep", "1", "--dry-run", "--state-dir", state.toString());
        assertEquals(0, gc.exit(), gc.toString());

        // The pin may also come from --tls-pin or STACKSHARE_TLS_PIN, for a URL without one.
        String bare = served.url().substring(0, served.url().indexOf('#'));
        Sh.Result byOption = ss("env", "--server", bare, "--tls-pin", "sha256:" + served.pin(), "--same-paths");
        assertEquals(0, byOption.exit(), byOption.toString());
        Sh.Result byEnv = CliIT.ss(Map.of("STACKSHARE_TOKEN", node.get("STACKSHARE_TOKEN"), "STACKSHARE_TLS_PIN",
                served.pin().toUpperCase()), "env", "--server", bare, "--same-paths");
        assertEquals(0, byEnv.exit(), byEnv.toString());
    }

    @Test
    void aWrongPinIsRefusedWithOneLineAndNothingIsMounted() throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        String other = (served.pin().charAt(0) == '0' ? "1" : "0") + served.pin().substring(1);
        String wrong = served.url().replace(served.pin(), other);
        Sh.Result m = ss("mount", "--server", wrong, mnt.toString());
        assertOneLineError(m, "is not the pinned server");
        assertTrue(m.err().contains("presented certificate sha256=" + served.pin()), m.err());
        assertFalse(mounted(mnt));
        assertOneLineError(ss("env", "--server", served.url(), "--tls-pin", other, "--same-paths"), "not the pinned");
        assertOneLineError(ss("exec", "--server", wrong, "--", "true"), "not the pinned");
        assertOneLineError(ss("env", "--server", served.url().replace("#sha256=", "#sha1="), "--same-paths"),
                "#sha256=HEX");
    }

    @Test
    void anotherServerWithItsOwnCertificateIsRefusedOnTheFirstPinAndARestartKeepsThePin() throws Exception {
        Path otherState = base.resolve("other-state");
        Served other = serve(otherState, "--tls");
        try {
            assertFalse(other.pin().equals(served.pin()), "each state dir makes its own pair");
            String impostor = other.url().replace(other.pin(), served.pin());
            assertOneLineError(ss("env", "--server", impostor, "--same-paths"), "is not the pinned server");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(otherState.resolve("tls/key.pem"))), "the generated key is 0600");
        } finally {
            stop(other);
        }
        Served again = serve(otherState, "--tls");
        try {
            assertEquals(other.pin(), again.pin(), "a restarted server keeps its certificate, so job scripts keep working");
        } finally {
            stop(again);
        }
    }

    @Test
    void plainHttpToTheTlsPortIsRefusedAndAnswersNoData() throws Exception {
        String plain = "http://" + served.address();
        Path mnt = Files.createTempDirectory(base, "mnt");
        assertOneLineError(ss("mount", "--server", plain, mnt.toString()), "tls-required");
        assertFalse(mounted(mnt));
        // A hand-made request with the right token gets the same refusal, in clear text, and then a closed socket.
        String answer;
        try (Socket s = new Socket("127.0.0.1", URI.create(served.url()).getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /v1/views/latest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + node.get("STACKSHARE_TOKEN")
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.contains("\"tls-required\"") && !answer.contains(served.snapshot()), answer);
    }

    @Test
    void aPemPairFromOpensslIsServedAndPinnedByItsFingerprint() throws Exception {
        Path dir = Files.createDirectories(base.resolve("pem"));
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Sh.Result made = Sh.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=devhost", "-keyout", key.toString(), "-out", cert.toString()), Map.of(), 120);
        assertEquals(0, made.exit(), made.toString());
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Sh.Result open = CliIT.ss("serve", "--root", stack.toString(), "--listen", "127.0.0.1:0", "--state-dir",
                base.resolve("pem-state").toString(), "--tls-cert", cert.toString(), "--tls-key", key.toString());
        assertOneLineError(open, "readable by every user");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        Served pem = serve(base.resolve("pem-state"), "--tls-cert", cert.toString(), "--tls-key", key.toString());
        try {
            Sh.Result fp = Sh.run(List.of("openssl", "x509", "-in", cert.toString(), "-noout", "-fingerprint", "-sha256"),
                    Map.of(), 60);
            String expected = fp.out().strip().replaceAll(".*=", "").replace(":", "").toLowerCase();
            assertEquals(expected, pem.pin(), "the printed pin is the certificate's SHA-256 fingerprint");
            Sh.Result env = CliIT.ss(Map.of("STACKSHARE_TOKEN", Files.readString(base.resolve("pem-state/token")).strip()),
                    "env", "--server", pem.url(), "--same-paths");
            assertEquals(0, env.exit(), env.toString());
        } finally {
            stop(pem);
        }
        assertOneLineError(CliIT.ss("serve", "--root", stack.toString(), "--state-dir", base.resolve("pem-state").toString(),
                "--tls-cert", cert.toString()), "--tls-cert and --tls-key go together");
    }
}
