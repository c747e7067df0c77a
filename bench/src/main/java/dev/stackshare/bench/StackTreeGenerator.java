package dev.stackshare.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a tree shaped like a software stack, the same bytes for the same seed: packages of
 * nested modules (many small {@code .py} and their {@code __pycache__/*.pyc}, some data files)
 * four to seven directories deep, and a few large {@code .so} libraries. Content is random, so
 * nothing deduplicates and every byte must be read and hashed.
 *
 * <p>About 55% of the files are {@code .py}, 40% {@code .pyc}, the rest data and one {@code .so}
 * in every 400 files (1–24 MiB); a 100,000-file tree is about 2.7 GB in 11,700 directories.
 */
public final class StackTreeGenerator {
    /** What was written. */
    public record Summary(long files, long dirs, long bytes) {
    }

    private final SplittableRandom random;
    private final byte[] buffer = new byte[1 << 20];
    private long files;
    private long dirs;
    private long bytes;

    private StackTreeGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Writes {@code fileCount} files under {@code root}, which must not exist yet. */
    public static Summary generate(Path root, int fileCount, long seed) throws IOException {
        if (Files.exists(root)) {
            throw new BenchException(root + " exists already; the generator writes a new tree only");
        }
        StackTreeGenerator g = new StackTreeGenerator(seed);
        Path site = root.resolve("lib/python3.11/site-packages");
        Path libs = root.resolve("lib");
        Files.createDirectories(site);
        g.dirs += 4;
        int pkg = 0;
        while (g.files < fileCount) {
            Path p = site.resolve("pkg" + pkg++);
            g.module(p, 0, fileCount, libs);
        }
        return new Summary(g.files, g.dirs, g.bytes);
    }

    /** One package directory and, below it, subpackages to a random depth. */
    private void module(Path dir, int depth, int limit, Path libs) throws IOException {
        Files.createDirectories(dir.resolve("__pycache__"));
        dirs += 2;
        int modules = 3 + random.nextInt(12);
        for (int i = 0; i < modules && files < limit; i++) {
            String name = i == 0 ? "__init__" : "mod" + i;
            file(dir.resolve(name + ".py"), pySize());
            if (files < limit) {
                file(dir.resolve("__pycache__/" + name + ".cpython-311.pyc"), pySize() * 3 / 2);
            }
            if (files < limit && files % 400 == 0) {
                file(libs.resolve("lib" + files + ".so"), (1 + random.nextInt(24)) << 20);
            }
        }
        if (files < limit && random.nextInt(4) == 0) {
            file(dir.resolve("data" + depth + ".json"), 200 + random.nextInt(60_000));
        }
        int subpackages = depth < 2 ? 2 + random.nextInt(4) : depth < 5 ? random.nextInt(3) : 0;
        for (int i = 0; i < subpackages && files < limit; i++) {
            module(dir.resolve("sub" + i), depth + 1, limit, libs);
        }
    }

    /** Mostly a few KB, sometimes tens of KB, like real modules. */
    private int pySize() {
        double r = random.nextDouble();
        return r < 0.1 ? random.nextInt(200) : r < 0.9 ? 500 + random.nextInt(12_000) : 12_000 + random.nextInt(80_000);
    }

    private void file(Path path, int size) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            int left = size;
            while (left > 0) {
                int n = Math.min(left, buffer.length);
                for (int i = 0; i + 8 <= n; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        buffer[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
        files++;
        bytes += size;
    }
}
