package dev.stackshare.server;

import dev.stackshare.protocol.Digest;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compressed frames of stable chunks already served, so the next request for one (from any
 * node) is one sequential read of {@code STATE/stable-frames/ab/abcd...} instead of a read, a
 * SHA-256 and a zstd compression of the source file.
 *
 * <p>A stable chunk must never be served with bytes its file no longer holds. Each cached frame
 * carries the place it was read from and that file's identity (device, inode, size, mtime and
 * ctime in nanoseconds) as it was both before and after the verified read. A hit is served only
 * if the place is still one the snapshots record for that digest and an {@code lstat} of the file
 * gives the same identity; anything else falls back to the verifying read, which answers 409 for
 * a changed file. A write to the file changes its mtime and ctime, a rename onto the path its
 * inode. Racy rule: a file whose ctime is less than {@link #SETTLE_NANOS} before the read is not
 * cached, since a write in the same clock tick could leave the times unchanged.
 *
 * <p>Bounded: total bytes stay under the bound; when a put passes it, the oldest frames (in the
 * order they were found at start and then written) are deleted down to 90 %.
 */
final class StableFrameCache {
    private static final Logger LOG = LoggerFactory.getLogger(StableFrameCache.class);
    private static final int MAGIC = 0x53534631; // "SSF1"
    static final long SETTLE_NANOS = 2_000_000_000L;
    /** Default bound; {@code -Dstackshare.stableCacheBytes=N} overrides (0 turns the cache off). */
    static final long DEFAULT_BOUND = 2L << 30;

    private final Path dir;
    private final long bound;
    private final long settleNanos;
    private final Deque<Digest> order = new ArrayDeque<>();
    private long total;

    private StableFrameCache(Path dir, long bound, long settleNanos) {
        this.dir = dir;
        this.bound = bound;
        this.settleNanos = settleNanos;
    }

    static StableFrameCache open(Path dir, long bound) throws IOException {
        // The property is for tests that serve files they have just written.
        return open(dir, bound, Long.getLong("stackshare.stableCacheSettleNanos", SETTLE_NANOS));
    }

    /** @param settleNanos how long ago a file must have last changed for its frames to be kept (tests: 0) */
    static StableFrameCache open(Path dir, long bound, long settleNanos) throws IOException {
        StableFrameCache cache = new StableFrameCache(dir, bound, settleNanos);
        Files.createDirectories(dir);
        for (int i = 0; i < 256; i++) {
            Path sub = Files.createDirectories(dir.resolve(String.format("%02x", i)));
            try (DirectoryStream<Path> files = Files.newDirectoryStream(sub)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.startsWith(".tmp-")) {
                        Files.deleteIfExists(f);
                    } else if (name.length() == 64) {
                        cache.order.add(new Digest(name));
                        cache.total += Files.size(f);
                    }
                }
            }
        }
        return cache;
    }

    static long boundFromProperty() {
        return Long.getLong("stackshare.stableCacheBytes", DEFAULT_BOUND);
    }

    private Path pathOf(Digest digest) {
        return dir.resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    /**
     * The cached frame of {@code digest}, or null when there is none or it can no longer be
     * trusted (its place is not among {@code places} or the file there is not the one read).
     */
    byte[] get(Digest digest, StableLocations.Location[] places) {
        if (bound <= 0 || places == null) {
            return null;
        }
        byte[] stored;
        try {
            stored = Files.readAllBytes(pathOf(digest));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.debug("stable cache read {}: {}", digest, e.toString());
            return null;
        }
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(stored));
            if (in.readInt() != MAGIC) {
                return null;
            }
            StableLocations.FileIdentity recorded = new StableLocations.FileIdentity(in.readLong(), in.readLong(),
                    in.readLong(), in.readLong(), in.readLong());
            long offset = in.readLong();
            int length = in.readInt();
            byte[] name = new byte[in.readUnsignedShort()];
            in.readFully(name);
            String file = new String(name, StandardCharsets.UTF_8);
            int header = stored.length - in.available();
            for (StableLocations.Location loc : places) {
                if (loc.offset() == offset && loc.length() == length && loc.file().toString().equals(file)) {
                    if (!recorded.equals(StableLocations.FileIdentity.of(loc.file()))) {
                        return null;
                    }
                    return java.util.Arrays.copyOfRange(stored, header, stored.length);
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // truncated, or the file is gone or unreadable: the verifying read decides
        }
    }

    /** Keeps {@code frame}, verified from {@code v}'s place, unless the file was changing or too recently changed. */
    void put(Digest digest, StableLocations.Verified v, byte[] frame) {
        StableLocations.FileIdentity id = v.stat();
        if (bound <= 0 || id == null || id.ctimeNanos() > System.currentTimeMillis() * 1_000_000L - settleNanos) {
            return;
        }
        byte[] name = v.location().file().toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > 65_535) {
            return;
        }
        Path target = pathOf(digest);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + name.length + frame.length);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeLong(id.dev());
            out.writeLong(id.ino());
            out.writeLong(id.size());
            out.writeLong(id.mtimeNanos());
            out.writeLong(id.ctimeNanos());
            out.writeLong(v.location().offset());
            out.writeInt(v.location().length());
            out.writeShort(name.length);
            out.write(name);
            out.write(frame);
            out.flush();
            boolean existed = Files.exists(target);
            AtomicFiles.write(target, bytes.toByteArray());
            if (!existed) {
                added(digest, bytes.size());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("stable cache write {}: {}", digest, e.toString());
        }
    }

    private synchronized void added(Digest digest, long size) {
        order.add(digest);
        total += size;
        if (total <= bound) {
            return;
        }
        long goal = bound / 10 * 9;
        while (total > goal && !order.isEmpty()) {
            Path victim = pathOf(order.poll());
            try {
                long s = Files.size(victim);
                Files.deleteIfExists(victim);
                total -= s;
            } catch (IOException e) {
                // already gone
            }
        }
    }

    synchronized long bytes() {
        return total;
    }
}
