package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's content-addressed object store, shared by every mount and process of the user:
 * {@code CACHE/objects/ab/abcdef...} holds the raw (inflated) bytes of the object of that digest.
 *
 * <p>An object is written to a temporary file in its final directory and renamed into place, so a
 * digest name never holds a partial file, even when two processes insert the same object at once.
 * Objects are verified on insert and again on every read: a corrupt file is deleted and fetched again.
 */
final class DiskCache implements ObjectSource {
    private static final Logger log = LoggerFactory.getLogger(DiskCache.class);
    static final String OBJECTS = "objects";
    static final String TEMP_PREFIX = ".tmp-";
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final Path objects;
    private final ObjectSource next;
    private final Counters counters;
    /** Fan-out directories known to exist, so an insert costs no extra mkdir. */
    private final Set<String> prefixes = ConcurrentHashMap.newKeySet();

    private DiskCache(Path objects, ObjectSource next, Counters counters) {
        this.objects = objects;
        this.next = next;
        this.counters = counters;
    }

    /** Opens (creating with mode 0700 if needed) the cache under {@code cacheDir}; misses go to {@code next}. */
    static DiskCache open(Path cacheDir, ObjectSource next, Counters counters) throws IOException {
        Path objects = cacheDir.resolve(OBJECTS);
        try {
            createPrivateDirectories(objects);
        } catch (AccessDeniedException e) {
            throw new ClientException(ClientException.BAD_CACHE_DIR, "cannot create the cache directory " + cacheDir
                    + ": permission denied; choose another with --cache-dir", e);
        }
        return new DiskCache(objects, next, counters);
    }

    static void createPrivateDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PRIVATE_DIR);
        }
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        byte[] cached = peek(digest);
        if (cached != null) {
            return cached;
        }
        byte[] raw = next.get(digest);
        put(digest, raw);
        return raw;
    }

    @Override
    public Map<Digest, byte[]> getAll(Collection<Digest> digests) throws IOException {
        Map<Digest, byte[]> out = new LinkedHashMap<>();
        List<Digest> missing = new ArrayList<>();
        for (Digest d : new LinkedHashSet<>(digests)) {
            byte[] cached = peek(d);
            if (cached != null) {
                out.put(d, cached);
            } else {
                missing.add(d);
            }
        }
        if (!missing.isEmpty()) {
            for (Map.Entry<Digest, byte[]> e : next.getAll(missing).entrySet()) {
                put(e.getKey(), e.getValue());
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The cached bytes, verified, or null when the cache lacks them (or held a corrupt copy, now deleted). */
    byte[] peek(Digest digest) throws IOException {
        Path file = pathOf(digest);
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        Digest actual = Digest.of(raw);
        if (!actual.equals(digest)) {
            log.warn("cached object {} is corrupt (its {} bytes hash to {}); deleted it, it will be fetched again",
                    file, raw.length, actual.shortHex());
            Files.deleteIfExists(file);
            return null;
        }
        counters.diskCacheHit();
        return raw;
    }

    /** Inserts an object after checking it against its digest; an object already there is kept. */
    void put(Digest digest, byte[] raw) throws IOException {
        Digest actual = Digest.of(raw);
        if (!actual.equals(digest)) {
            throw new DigestMismatchException(digest, actual, "the disk cache insert");
        }
        Path target = pathOf(digest);
        if (Files.exists(target)) {
            return;
        }
        Path dir = target.getParent();
        String prefix = dir.getFileName().toString();
        if (!prefixes.contains(prefix)) {
            // Created before it is remembered, so no thread writes into a directory not there yet.
            createPrivateDirectories(dir);
            prefixes.add(prefix);
        }
        Path temp = Files.createTempFile(dir, TEMP_PREFIX + digest.shortHex() + "-", "");
        try {
            Files.write(temp, raw);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** A view of this cache that never fetches: a miss throws {@link NotCachedException}. */
    ObjectSource localOnly() {
        return digest -> {
            byte[] cached = peek(digest);
            if (cached == null) {
                throw new NotCachedException(digest);
            }
            return cached;
        };
    }

    Path pathOf(Digest digest) {
        return objects.resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }
}
