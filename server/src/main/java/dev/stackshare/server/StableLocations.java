package dev.stackshare.server;

import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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

    /**
     * One chunk in place. {@code rootReal} is the root's real path at publish; a read checks the
     * file still lies under it, so a directory swapped for a symlink cannot lead the server out.
     */
    record Location(Path file, Path rootReal, long offset, int length) {
    }

    void add(Digest digest, Location location) {
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

    /**
     * The raw bytes of the chunk, checked against its digest; null if no published snapshot has
     * it in a stable root.
     *
     * @throws ContentChangedException if no recorded place still holds those exact bytes
     */
    byte[] read(Digest digest) throws ContentChangedException {
        Location[] candidates = places.get(digest);
        if (candidates == null) {
            return null;
        }
        String why = null;
        for (Location loc : candidates) {
            try {
                byte[] bytes = readPlace(loc);
                if (bytes != null && Digest.of(bytes).equals(digest)) {
                    return bytes;
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
    private static byte[] readPlace(Location loc) throws IOException {
        // NOFOLLOW_LINKS is O_NOFOLLOW on the last component; the real-path check covers the
        // directories above it. A swap between the two can only make us read other bytes, which
        // the digest check then refuses.
        if (!Files.readAttributes(loc.file(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
            // Checked before open too: opening a fifo put in the file's place would block.
            throw new IOException("is no longer a regular file");
        }
        try (FileChannel ch = FileChannel.open(loc.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (!loc.file().toRealPath().startsWith(loc.rootReal())) {
                throw new IOException("now lies outside its root " + loc.rootReal());
            }
            ByteBuffer buf = ByteBuffer.allocate(loc.length());
            long position = loc.offset();
            while (buf.hasRemaining()) {
                int n = ch.read(buf, position);
                if (n < 0) {
                    return null;
                }
                position += n;
            }
            return buf.array();
        }
    }
}
