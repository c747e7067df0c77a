package dev.stackshare.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Builds real file trees for tests. */
final class Trees {
    static final FileTime FIXED = FileTime.fromMillis(1_700_000_000_123L);

    private Trees() {
    }

    static Path file(Path root, String relative, String content) throws IOException {
        return file(root, relative, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Path file(Path root, String relative, byte[] content) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * A small stack: nested dirs, an empty dir, names with spaces and non-ASCII letters, an empty
     * file, an executable, and a file of several 4 KiB chunks.
     */
    static void sampleTree(Path root) throws IOException {
        file(root, "lib/python/pkg/__init__.py", "");
        file(root, "lib/python/pkg/core.py", "def f():\n    return 42\n");
        file(root, "lib/libbig.so", randomBytes(3 * 4096 + 17, 7));
        file(root, "with space/naïve – ünïcödé.txt", "grüße\n");
        Path tool = file(root, "bin/tool", "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createDirectories(root.resolve("share/empty"));
    }

    /**
     * Runs a bash script in {@code dir}, for what Java cannot make: fifos swapped in with
     * {@code mv}, names that are not UTF-8, paths past PATH_MAX.
     */
    static void bash(Path dir, String script) throws IOException {
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("bash -c '" + script + "' failed: " + output);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Sets every mtime below and including {@code root} (children first, since they touch their parents). */
    static void fixTimes(Path root) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(all::add);
        }
        all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path p : all) {
            if (!Files.isSymbolicLink(p)) {
                Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FIXED, null, null);
            }
        }
    }
}
