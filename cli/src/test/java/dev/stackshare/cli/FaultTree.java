package dev.stackshare.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The tree the fault tests export, and the check that a mount of it reads back byte for byte.
 * Content is random (incompressible), so every object's frame is about as big as the object and
 * a corrupted byte anywhere in it cannot go unnoticed.
 */
final class FaultTree {
    /** Bytes the client cache names a digest with: SHA-256 of the raw object. */
    private static final HexFormat HEX = HexFormat.of();

    private FaultTree() {
    }

    /**
     * {@code dirs} directories of {@code filesPerDir} files of 1–60 KB (one chunk each: they
     * come in directory batches), plus big files of several chunks (read chunk by chunk).
     */
    static void build(Path root, long seed, int dirs, int filesPerDir, long... bigFiles) throws IOException {
        Random random = new Random(seed);
        for (int d = 0; d < dirs; d++) {
            Path dir = Files.createDirectories(root.resolve("pkg" + d));
            for (int f = 0; f < filesPerDir; f++) {
                byte[] content = new byte[1024 + random.nextInt(59 * 1024)];
                random.nextBytes(content);
                Files.write(dir.resolve("mod" + f + ".py"), content);
            }
        }
        Path data = Files.createDirectories(root.resolve("data"));
        for (int i = 0; i < bigFiles.length; i++) {
            byte[] content = new byte[(int) bigFiles[i]];
            random.nextBytes(content);
            Files.write(data.resolve("big" + i + ".bin"), content);
        }
    }

    /** Every regular file under {@code root}, relative to it, in a stable order; {@code .git} is left out, as publish does. */
    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(root::relativize).filter(p -> !p.startsWith(".git")).sorted()
                    .toList();
        }
    }

    /** What reading a mounted copy found. */
    record Compared(int files, long bytes, List<String> wrong) {
    }

    /**
     * Reads every file of {@code root} from {@code copy} on {@code threads} threads at once and
     * compares it with the original; a read error counts as wrong, with its message.
     */
    static Compared compare(Path root, Path copy, int threads) throws Exception {
        List<Path> files = files(root);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (Path f : files) {
                results.add(pool.submit(() -> {
                    try {
                        long at = Files.mismatch(root.resolve(f), copy.resolve(f));
                        return at < 0 ? null : f + " differs at byte " + at;
                    } catch (IOException e) {
                        return f + ": " + e;
                    }
                }));
            }
            List<String> wrong = new ArrayList<>();
            long bytes = 0;
            for (int i = 0; i < files.size(); i++) {
                String problem = results.get(i).get();
                if (problem != null) {
                    wrong.add(problem);
                }
                bytes += Files.size(root.resolve(files.get(i)));
            }
            return new Compared(files.size(), bytes, wrong);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Objects of a client disk cache: {@code CACHE/objects/ab/<hex>}. */
    static List<Path> cachedObjects(Path cacheDir) throws IOException {
        Path objects = cacheDir.resolve("objects");
        if (!Files.isDirectory(objects)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(objects)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * Files in a client disk cache that are not a whole object under its own digest: temporary
     * files left behind, names that are not digests, and content that does not hash to its name.
     */
    static List<String> partialOrWrong(Path cacheDir) throws IOException {
        return badObjects(cacheDir, false);
    }

    /**
     * Files under a digest name whose content does not hash to it, in the cache of a mount that is
     * still up: its writer may be creating and renaming temporary files meanwhile, which are
     * skipped here; {@link #partialOrWrong} checks that none is left once the mount is down.
     */
    static List<String> wrongWhileWriting(Path cacheDir) throws IOException {
        return badObjects(cacheDir, true);
    }

    private static List<String> badObjects(Path cacheDir, boolean mountIsUp) throws IOException {
        List<String> bad = new ArrayList<>();
        for (Path file : cachedObjects(cacheDir)) {
            if (!isDigestName(file)) {
                if (!mountIsUp) {
                    bad.add(file + ": not a digest name (a temporary or partial file?)");
                }
                continue;
            }
            try {
                if (!sha256(Files.readAllBytes(file)).equals(file.getFileName().toString())) {
                    bad.add(file + ": content does not hash to its name");
                }
            } catch (java.nio.file.NoSuchFileException evicted) {
                if (!mountIsUp) {
                    throw evicted;
                }
                // the cache's evictor removed it meanwhile
            }
        }
        return bad;
    }

    /** The size of everything in a cache's object store, counting files that vanish meanwhile (renamed, evicted) as 0. */
    static long cachedBytes(Path cacheDir) throws IOException {
        long sum = 0;
        for (Path p : cachedObjects(cacheDir)) {
            try {
                sum += Files.size(p);
            } catch (java.nio.file.NoSuchFileException gone) {
                // a temporary file renamed into place, or an evicted object
            }
        }
        return sum;
    }

    private static boolean isDigestName(Path file) {
        String name = file.getFileName().toString();
        return name.matches("[0-9a-f]{64}") && file.getParent().getFileName().toString().equals(name.substring(0, 2));
    }

    /** The digests of the chunks the files of {@code root} are cut into: the content objects a full read fetches. */
    static java.util.Set<String> contentDigests(Path root, int chunkSize) throws IOException {
        java.util.Set<String> digests = new java.util.TreeSet<>();
        for (Path f : files(root)) {
            byte[] content = Files.readAllBytes(root.resolve(f));
            for (int at = 0; at < content.length; at += chunkSize) {
                digests.add(sha256(java.util.Arrays.copyOfRange(content, at, Math.min(content.length, at + chunkSize))));
            }
        }
        return digests;
    }

    static String sha256(byte[] bytes) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
