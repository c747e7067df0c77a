package dev.stackshare.server;

import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Where the chunks of stable roots live: digest -> (file, offset, length). Content of a stable
 * root is never copied; it is read in place and served only if it still hashes to its digest.
 */
final class StableLocations {
    /** One file can be copied many times in a stack (empty files, identical {@code __init__.py}); a few places are plenty. */
    private static final int MAX_PLACES = 4;

    private final ConcurrentMap<Digest, Location[]> places = new ConcurrentHashMap<>();
    /** Chunks read from their source files (tests count these to show a cache answered instead). */
    private final java.util.concurrent.atomic.AtomicLong sourceReads = new java.util.concurrent.atomic.AtomicLong();

    /**
     * One chunk in place. {@code rootReal} is the root's real path at publish; a read checks the
     * file still lies under it, so a directory swapped for a symlink cannot lead the server out.
     */
    record Location(Path file, Path rootReal, long offset, int length) {
    }

    void add(Digest digest, Location location) {
        Location[] known = places.get(digest);
        if (known != null && known[0].equals(location)) {
            return; // a re-publish of an unchanged file: most calls, so no merge (and its lock) for them
        }
        places.merge(digest, new Location[] {location}, (old, fresh) -> {
            if (Arrays.asList(old).contains(location)) {
                return old;
            }
            Location[] merged = new Location[Math.min(MAX_PLACES, old.length + 1)];
            merged[0] = location; // newest first: the likeliest to be unchanged
            System.arraycopy(old, 0, merged, 1, merged.length - 1);
            return merged;
        });
    }

    /** Records every chunk of one file of a stable root, as published. */
    void addFile(Path file, Path rootReal, long size, int chunkSize, List<Digest> chunks) {
        for (int i = 0; i < chunks.size(); i++) {
            add(chunks.get(i), new Location(file, rootReal, (long) i * chunkSize, Chunking.chunkLength(size, chunkSize, i)));
        }
    }

    /** Forgets every chunk no kept snapshot needs (after gc). */
    void retainAll(java.util.Set<Digest> needed) {
        places.keySet().retainAll(needed);
    }

    boolean contains(Digest digest) {
        return places.containsKey(digest);
    }

    int size() {
        return places.size();
    }

    /** The recorded places of a chunk, newest first, or null. */
    Location[] places(Digest digest) {
        return places.get(digest);
    }

    long sourceReads() {
        return sourceReads.get();
    }

    /**
     * A chunk read from its place and checked against its digest, with the file's identity as it
     * was both before and after the read ({@code stat} is null when the file changed meanwhile, so
     * nothing can be recorded about it).
     */
    record Verified(byte[] bytes, Location location, FileIdentity stat) {
    }

    /**
     * What says a file is still the one that was read: device, inode, size, modification and
     * change time (nanoseconds). A write or rename onto the path changes at least one of them.
     */
    record FileIdentity(long dev, long ino, long size, long mtimeNanos, long ctimeNanos) {
        static FileIdentity of(Path file) throws IOException {
            java.util.Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime",
                    LinkOption.NOFOLLOW_LINKS);
            return new FileIdentity((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                    nanos((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")),
                    nanos((java.nio.file.attribute.FileTime) a.get("ctime")));
        }

        private static long nanos(java.nio.file.attribute.FileTime t) {
            java.time.Instant i = t.toInstant();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        }
    }

    /**
     * The raw bytes of the chunk, checked against its digest; null if no published snapshot has
     * it in a stable root.
     *
     * @throws ContentChangedException if no recorded place still holds those exact bytes
     */
    byte[] read(Digest digest) throws ContentChangedException {
        Verified v = readVerified(digest);
        return v == null ? null : v.bytes();
    }

    /** As {@link #read}, with the place that held the bytes and that file's identity. */
    Verified readVerified(Digest digest) throws ContentChangedException {
        Location[] candidates = places.get(digest);
        if (candidates == null) {
            return null;
        }
        String why = null;
        for (Location loc : candidates) {
            try {
                FileIdentity before = identityOrNull(loc.file());
                byte[] bytes = readPlace(loc);
                if (bytes != null && Digest.of(bytes).equals(digest)) {
                    FileIdentity after = identityOrNull(loc.file());
                    return new Verified(bytes, loc, before != null && before.equals(after) ? before : null);
                }
                why = loc.file() + " was modified";
            } catch (NoSuchFileException e) {
                why = loc.file() + " was removed";
            } catch (IOException e) {
                why = loc.file() + ": " + e.getClass().getSimpleName() + " " + e.getMessage();
            }
        }
        throw new ContentChangedException(digest, why);
    }

    /** Null when the file is now shorter than the chunk. */
    private static FileIdentity identityOrNull(Path file) {
        try {
            return FileIdentity.of(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private byte[] readPlace(Location loc) throws IOException {
        sourceReads.incrementAndGet();
        // O_NOFOLLOW covers the last component, the real-path check the directories above it. A
        // swap between the two can only make us read other bytes, which the digest check then
        // refuses. A fifo put in the file's place is refused at open, without waiting for a writer.
        try (RegularFile f = RegularFile.open(loc.file())) {
            if (!loc.file().toRealPath().startsWith(loc.rootReal())) {
                throw new IOException("now lies outside its root " + loc.rootReal());
            }
            ByteBuffer buf = ByteBuffer.allocate(loc.length());
            return f.readFully(buf, loc.offset()) ? buf.array() : null;
        }
    }
}
