package dev.stackshare.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The training run the build makes a class-data-sharing archive from
 * ({@code java -XX:ArchiveClassesAtExit=stackshare.jsa -cp stackshare.jar dev.stackshare.cli.CdsTraining}).
 * It runs the commands a developer and a node run, in this one JVM, on a small tree: serve,
 * publish, snapshots, and where the machine can mount, a foreground mount with a job reading
 * through it. Every class they load is then mapped from the archive instead of being read,
 * parsed and verified at each start: publish, mount and their JVMs start faster (docs/performance.md).
 * Where FUSE is missing the mount part is skipped; the archive then just holds less.
 */
public final class CdsTraining {
    /** The training must never hang a build. */
    private static final long DEADLINE_SECONDS = 90;

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            sleep(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
            System.err.println("cds training: gave up after " + DEADLINE_SECONDS + " s");
            System.exit(0);
        }, "cds-training-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.setOut(new PrintStream(OutputStream.nullOutputStream())); // the commands' answers
        Path work = Files.createTempDirectory("stackshare-cds-");
        try {
            train(work);
        } catch (Exception e) {
            // A smaller archive only costs start-up time; it must not fail the build.
            System.err.println("cds training: " + e + "; the archive holds what was loaded until then");
        } finally {
            try {
                deleteTree(work);
            } catch (IOException | RuntimeException e) {
                System.err.println("cds training: could not remove " + work + " (" + e + ")");
            }
        }
        // Exiting here (not from serve's thread) is what makes the JVM write the archive.
        System.exit(0);
    }

    private static void train(Path work) throws Exception {
        Path tree = Files.createDirectories(work.resolve("tree/pkg"));
        Files.writeString(tree.resolve("__init__.py"), "print('hello')\n");
        byte[] big = new byte[1_500_000]; // more than one chunk
        new Random(1).nextBytes(big);
        Files.write(tree.resolve("lib.so"), big);
        Path state = work.resolve("state");
        String stateDir = state.toString();
        Thread serve = new Thread(() -> Main.run("serve", "--root", work.resolve("tree").toString(),
                "--state-dir", stateDir, "--listen", "127.0.0.1:0"), "cds-training-serve");
        serve.setDaemon(true);
        serve.start();
        waitFor(state.resolve("server.json"));
        Main.run("publish", "--state-dir", stateDir);
        Main.run("snapshots", "--state-dir", stateDir);
        Main.run("mount", "--help");
        Main.run("exec", "--help");
        tryMount(work, state);
    }

    /** A foreground mount in this JVM, a job reading every file through it, then unmount. */
    private static void tryMount(Path work, Path state) throws Exception {
        Path mountpoint = Files.createDirectories(work.resolve("mnt"));
        Path cache = work.resolve("cache");
        LocalServer.Found server = LocalServer.find(state, java.time.Duration.ofSeconds(30));
        Thread mount = new Thread(() -> Main.run("mount", "--foreground", "--server", server.url(), "--snapshot", "latest",
                "--token-file", state.resolve("token").toString(), "--cache-dir", cache.toString(),
                mountpoint.toString()), "cds-training-mount");
        mount.setDaemon(true);
        mount.start();
        Path file = mountpoint.resolve(work.resolve("tree/pkg/lib.so").toString().substring(1));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(file) && mount.isAlive() && System.nanoTime() < until) {
            sleep(50);
        }
        if (!Files.exists(file)) {
            System.err.println("cds training: no mount here, archive made without the filesystem's classes");
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        Main.run("unmount", mountpoint.toString());
        mount.join(TimeUnit.SECONDS.toMillis(20));
    }

    private static void waitFor(Path file) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file)) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("serve did not start: no " + file);
            }
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
