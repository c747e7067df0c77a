package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's content-addressed object store, shared by every mount and process of the user (or,
 * in a {@link CacheDir shared cache}, of a group):
 * {@code CACHE/objects/ab/abcdef...} holds the raw (inflated) bytes of the object of that digest.
 *
 * <p>An object is written to a temporary file in its final directory and renamed into place, so a
 * digest name never holds a partial file, even when two processes insert the same object at once.
 * Objects are verified on insert and again on every read: a corrupt file is deleted and fetched again.
 */
final class DiskCache implements ObjectSource {
    private static final Logger log = LoggerFactory.getLogger(DiskCache.class);
    static final String OBJECTS = CacheDir.OBJECTS;
    static final String TEMP_PREFIX = ".tmp-";

    private final CacheDir cacheDir;
    private final Path objects;
    private final ObjectSource next;
    private final Counters counters;
    /** Fan-out directories known to exist, so an insert costs no extra mkdir. */
    private final Set<String> prefixes = ConcurrentHashMap.newKeySet();
    /** Insert failures are logged once as a warning, then at debug level: the read itself goes on. */
    private final AtomicBoolean insertFailureLogged = new AtomicBoolean();
    /**
     * Whether the next layer hands on only verified bytes (it is the verifier), so that what it
     * fetched is hashed once, not again on insert, and reaches the reader before it reaches the disk.
     */
    private final boolean nextVerifies;
    /** Keeps the cache under its size bound; null for an unbounded cache (tests). */
    private volatile CacheEvictor evictor;
    /** Most bytes of fetched objects waiting for the writer; past it, the fetching thread writes. */
    static final int MAX_WRITE_BACKLOG_BYTES = 64 * 1024 * 1024;
    /** Writes fetched objects off the reader's path ({@link #writeBehind}); null: the fetching thread writes. */
    private volatile ExecutorService writer;
    /** Fetched objects handed to the writer and not yet on disk: reads find them here meanwhile. */
    private final Map<Digest, byte[]> writing = new ConcurrentHashMap<>();
    private final Semaphore backlog = new Semaphore(MAX_WRITE_BACKLOG_BYTES);

    private DiskCache(CacheDir cacheDir, ObjectSource next, Counters counters) throws IOException {
        this.cacheDir = cacheDir;
        this.objects = cacheDir.objects();
        this.next = next;
        this.counters = counters;
        this.nextVerifies = next instanceof VerifyingObjectSource;
        cacheDir.createObjectDir(objects);
    }

    /** Opens (creating with mode 0700 if needed) the cache under {@code cacheDir}; misses go to {@code next}. */
    static DiskCache open(Path cacheDir, ObjectSource next, Counters counters) throws IOException {
        return open(CacheDir.open(cacheDir), next, counters);
    }

    /** Opens the objects of a checked cache dir, private or shared; misses go to {@code next}. */
    static DiskCache open(CacheDir cacheDir, ObjectSource next, Counters counters) throws IOException {
        return new DiskCache(cacheDir, next, counters);
    }

    /**
     * Bounds the cache: least recently used objects are deleted (by {@code background}) once it
     * passes {@code bytes}. The first walk of the cache is left to the caller's
     * {@link CacheEvictor#schedule()}, so that a mount does not pay for it while its job starts.
     */
    CacheEvictor bound(long bytes, Clock clock, Executor background) {
        CacheEvictor e = new CacheEvictor(objects, bytes, clock, background);
        evictor = e;
        return e;
    }

    /**
     * Fetched objects are written to disk by {@code writer} from now on, not by the thread that
     * fetched them: a file create, write and rename costs 0.2-1 ms on a node's disk, and a cold job
     * fetches thousands of objects, each of which its reader (or the rest of its batch) would wait
     * for. {@link #flush} waits for the writes and stops the writer.
     */
    void writeBehind(ExecutorService writer) {
        this.writer = writer;
    }

    /** Waits, at most {@code timeoutMillis}, for every object handed to the writer to reach the disk. */
    void flush(long timeoutMillis) {
        ExecutorService w = writer;
        if (w == null) {
            return;
        }
        writer = null; // later fetches (there should be none) write themselves
        w.shutdown();
        try {
            if (!w.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                log.warn("{} fetched objects were not written to the disk cache within {} ms; the next mount fetches them again",
                        writing.size(), timeoutMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        byte[] cached = peek(digest);
        if (cached != null) {
            return cached;
        }
        byte[] raw = next.get(digest);
        keepFetched(digest, raw);
        return raw;
    }

    /** Hands on what the disk holds first, then fetches the rest in one call to the next layer, keeping each as it arrives. */
    @Override
    public void getEach(Collection<Digest> digests, Sink sink) throws IOException {
        List<Digest> missing = new ArrayList<>();
        for (Digest d : new LinkedHashSet<>(digests)) {
            byte[] cached = peek(d);
            if (cached != null) {
                sink.accept(d, cached);
            } else {
                missing.add(d);
            }
        }
        if (!missing.isEmpty()) {
            next.getEach(missing, (d, raw) -> {
                if (nextVerifies) {
                    sink.accept(d, raw);
                    keepFetched(d, raw);
                } else {
                    keep(d, raw);
                    sink.accept(d, raw);
                }
            });
        }
    }

    /** The cached bytes, verified, or null when the cache lacks them (or held a corrupt copy, now deleted). */
    byte[] peek(Digest digest) throws IOException {
        byte[] beingWritten = writing.get(digest);
        if (beingWritten != null) {
            return beingWritten; // verified when fetched
        }
        Path file = pathOf(digest);
        if (cacheDir.shared() && Files.isSymbolicLink(file.getParent())) {
            return null; // another member's doing; inserts refuse the directory too
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        byte[] raw;
        if (attributes.isRegularFile()) {
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                raw = in.readAllBytes();
            } catch (NoSuchFileException e) {
                return null;
            }
        } else {
            raw = null; // a symbolic link, a fifo: never opened, dropped like a corrupt file
        }
        Digest actual = raw == null ? null : Digest.of(raw);
        if (!digest.equals(actual)) {
            log.warn("cached object {} is corrupt ({}); deleted it, it will be fetched again", file,
                    raw == null ? "not a regular file" : "its " + raw.length + " bytes hash to " + actual.shortHex());
            Files.deleteIfExists(file);
            return null;
        }
        counters.diskCacheHit();
        CacheEvictor e = evictor;
        if (e != null) {
            e.used(file, attributes.lastModifiedTime());
        }
        return raw;
    }

    /**
     * Inserts an object its caller has verified already, without hashing it again; like every
     * insert of fetched bytes, a failure to write is logged, never thrown.
     */
    void putVerified(Digest digest, byte[] raw) {
        try {
            keep(digest, raw, false);
        } catch (IOException e) {
            log.debug("cannot keep object {} in the disk cache: {}", digest.shortHex(), e.getMessage());
        }
    }

    /** Whether an object of this digest is on disk (or on its way there); unverified, for deciding what to fetch ahead. */
    boolean holds(Digest digest) {
        return writing.containsKey(digest) || Files.exists(pathOf(digest), LinkOption.NOFOLLOW_LINKS);
    }

    /** Inserts an object after checking it against its digest; an object already there is kept. */
    void put(Digest digest, byte[] raw) throws IOException {
        insert(digest, raw, true);
    }

    private void insert(Digest digest, byte[] raw, boolean verify) throws IOException {
        if (verify) {
            Digest actual = Digest.of(raw);
            if (!actual.equals(digest)) {
                throw new DigestMismatchException(digest, actual, "the disk cache insert");
            }
        }
        Path target = pathOf(digest);
        if (Files.exists(target)) {
            return;
        }
        Path dir = target.getParent();
        String prefix = dir.getFileName().toString();
        // In a shared cache the directory is checked on every insert: another member could swap it for a link.
        if (cacheDir.shared() || !prefixes.contains(prefix)) {
            // Created before it is remembered, so no thread writes into a directory not there yet.
            if (!cacheDir.createObjectDir(dir)) {
                throw new IOException("cannot insert into " + dir + ": it is a symbolic link or not writable by the group");
            }
            prefixes.add(prefix);
        }
        Path temp = Files.createTempFile(dir, TEMP_PREFIX + digest.shortHex() + "-", "");
        try {
            Files.write(temp, raw);
            cacheDir.share(temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        CacheEvictor e = evictor;
        if (e != null) {
            e.inserted(raw.length);
        }
    }

    /**
     * Inserts what was fetched, but never fails the read for it: the bytes are verified and in
     * hand, and a full disk or another member's directory in a shared cache only costs a fetch later.
     */
    private void keep(Digest digest, byte[] raw) throws IOException {
        keep(digest, raw, !nextVerifies);
    }

    /** Keeps a fetched object: through the writer when there is one and it has room, else at once. */
    private void keepFetched(Digest digest, byte[] raw) throws IOException {
        ExecutorService w = writer;
        // Unverified bytes are checked on insert, and a mismatch must fail the read: those are written at once.
        if (w == null || !nextVerifies || !backlog.tryAcquire(raw.length)) {
            keep(digest, raw);
            return;
        }
        writing.put(digest, raw);
        Runnable write = () -> {
            try {
                keep(digest, raw, false);
            } catch (IOException e) {
                log.debug("cannot keep object {} in the disk cache: {}", digest.shortHex(), e.getMessage());
            } finally {
                writing.remove(digest);
                backlog.release(raw.length);
            }
        };
        try {
            w.execute(write);
        } catch (RejectedExecutionException e) {
            write.run(); // the writer has stopped (unmount): write here
        }
    }

    private void keep(Digest digest, byte[] raw, boolean verify) throws IOException {
        try {
            insert(digest, raw, verify);
        } catch (DigestMismatchException e) {
            throw e;
        } catch (IOException e) {
            if (insertFailureLogged.compareAndSet(false, true)) {
                log.warn("cannot keep object {} in the disk cache {} ({}); reads go on without caching it", digest.shortHex(),
                        cacheDir, e.getMessage());
            } else {
                log.debug("cannot keep object {} in the disk cache: {}", digest.shortHex(), e.getMessage());
            }
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
