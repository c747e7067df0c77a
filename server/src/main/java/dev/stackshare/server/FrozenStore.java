package dev.stackshare.server;

import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.DirectoryStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Content-addressed objects on disk, {@code objects/ab/abcdef...}, each a zstd frame of the raw
 * bytes. Writes go to a temporary file in the same directory and are renamed into place, so a
 * reader sees a whole object or none; an object already present is not written again, which is
 * what makes a re-publish cost only what changed.
 */
final class FrozenStore {
    private final Path dir;

    private FrozenStore(Path dir) {
        this.dir = dir;
    }

    static FrozenStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        // All 256 fan-out directories up front, so put() never races another put() to create one.
        for (int i = 0; i < 256; i++) {
            Files.createDirectories(dir.resolve(String.format("%02x", i)));
        }
        return new FrozenStore(dir);
    }

    /** Bytes on disk of every stored object (a walk of the store: callers keep the answer a while). */
    long storedBytes() throws IOException {
        long total = 0;
        try (java.util.stream.Stream<Path> files = Files.walk(dir, 2)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)) {
                    total += Files.size(f);
                }
            }
        }
        return total;
    }

    Path pathOf(Digest digest) {
        return dir.resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    boolean contains(Digest digest) {
        return Files.exists(pathOf(digest));
    }

    /**
     * Stores {@code raw[offset, offset + length)} under {@code digest}, which the caller has just
     * computed over exactly those bytes.
     *
     * @return the bytes written to disk, 0 when the object was already there
     */
    long put(Digest digest, byte[] raw, int offset, int length) throws IOException {
        Path target = pathOf(digest);
        if (Files.exists(target)) {
            return 0;
        }
        byte[] whole = offset == 0 && length == raw.length ? raw : Arrays.copyOfRange(raw, offset, offset + length);
        byte[] frame = Compression.compress(whole);
        // A concurrent put of the same digest renames identical bytes over ours: harmless.
        AtomicFiles.write(target, frame);
        return frame.length;
    }

    long put(Digest digest, byte[] raw) throws IOException {
        return put(digest, raw, 0, raw.length);
    }

    /** An object on disk and its stored (compressed) size. */
    record Stored(Digest digest, long bytes) {
    }

    /**
     * Every object in the store. Leftover temporary files of a crashed write are deleted on the
     * way: callers hold the publish lock, so no write is in flight.
     */
    List<Stored> list() throws IOException {
        List<Stored> all = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve(String.format("%02x", i)))) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.startsWith(".tmp-")) {
                        Files.deleteIfExists(f);
                    } else if (name.length() == 64) {
                        all.add(new Stored(new Digest(name), Files.size(f)));
                    }
                }
            }
        }
        return all;
    }

    void delete(Digest digest) throws IOException {
        Files.deleteIfExists(pathOf(digest));
    }

    /** The stored frame, or null when the store lacks the object. */
    byte[] readFrame(Digest digest) throws IOException {
        try {
            return Files.readAllBytes(pathOf(digest));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The raw bytes, checked against the digest: the server's own reads (trees, chunk lists) trust nothing on disk. */
    byte[] readRaw(Digest digest) throws IOException {
        byte[] frame = readFrame(digest);
        if (frame == null) {
            throw new NoSuchFileException(pathOf(digest).toString(), null, "frozen object is missing");
        }
        byte[] raw = Compression.decompress(frame);
        Digest actual = Digest.of(raw);
        if (!actual.equals(digest)) {
            throw new DigestMismatchException(digest, actual, "frozen store " + pathOf(digest));
        }
        return raw;
    }
}
