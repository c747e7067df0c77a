package dev.stackshare.client;

import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.SmallFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a job's one-file-after-another reads into one request per directory: the first time a
 * file of a directory is read, the small files of that directory that no cache holds are
 * fetched in one batch, that file first. The batch streams, so that file's reader
 * waits for its own object only; the siblings arrive while it works on it.
 *
 * <p>When the node lacks most of the directory's small files, the batch is offered to the HTTP
 * layer ({@link Offers}) as the directory's GET form ({@code GET /v1/dirs/{digest}/files/{chunkSize}},
 * {@link SmallFiles}), which names immutable content and so passes through HTTP caches: a hundred
 * nodes opening the same package cost the origin one answer. A node that holds most of them
 * already asks for the few it lacks by POST, which no cache keeps.
 *
 * <p>A Python import opens the files of a package one after another, each a round trip when
 * fetched alone; most of a package's modules are imported together, so a directory is the unit
 * that wastes least. Small means one chunk: big files are read chunk by chunk, with read-ahead,
 * except shared libraries, which are fetched whole on their first read (see {@link #isSharedLibrary}).
 *
 * <p>Once the job shows that it reads sources beside their compiled forms ({@link PycachePairing}),
 * a package directory and its {@code __pycache__} are batched together, each in its own request.
 * Without a trace it also guesses ahead: a package's extension modules and its subpackages'
 * compiled modules ({@link SubpackageGuess}), and a file read in two sibling directories from all
 * of them ({@link SiblingFiles}).
 */
final class DirectoryBatcher {
    private static final Logger log = LoggerFactory.getLogger(DirectoryBatcher.class);
    /** Raw bytes one directory batch fetches at most, so a directory of many big modules costs a bounded transfer. */
    static final long DEFAULT_MAX_BATCH_BYTES = SmallFiles.MAX_BYTES;
    /** A shared library of up to this size is fetched whole on its first read (see {@link #isSharedLibrary}). */
    static final long MAX_LIBRARY_BATCH_BYTES = 32L * 1024 * 1024;
    private static final Pattern SHARED_LIBRARY = Pattern.compile(".*\\.so(\\.[0-9]+)*");

    private final SnapshotTree tree;
    private final MemoryCache memory;
    private final Predicate<Digest> onDisk;
    private final Executor fetchers;
    private final long maxBatchBytes;
    /** Where a directory's batch may be fetched as its GET form; {@link HttpObjectSource#offerDirectory} in production. */
    @FunctionalInterface
    interface Offers {
        void offerDirectory(Digest directory, int chunkSize, List<Digest> members);
    }

    private final Offers offers;
    /**
     * Directories (by tree digest) and libraries (by chunk-list digest) batched already;
     * identical ones share one batch.
     */
    private final Set<Digest> batched = ConcurrentHashMap.newKeySet();
    private final PycachePairing pycache = new PycachePairing();
    /** Fetches subpackages' compiled modules ahead of their imports; null: no guesses. */
    private final SubpackageGuess subpackages;
    /** Fetches a file read in two sibling directories from all of them (package metadata scans); null: no guesses. */
    private final SiblingFiles siblings;

    /**
     * @param onDisk   whether the node's disk cache holds an object: those are left to their reads
     * @param fetchers where batches run; reads wait only for their own objects
     */
    DirectoryBatcher(SnapshotTree tree, MemoryCache memory, Predicate<Digest> onDisk, Executor fetchers,
                     long maxBatchBytes) {
        this(tree, memory, onDisk, fetchers, maxBatchBytes, null, null, () -> false);
    }

    /**
     * @param offers  takes a directory's GET form before its batch is fetched, or null to always POST
     * @param guesses  where {@link SubpackageGuess} fetches, a pool of its own; null for no guesses
     * @param guessing whether to guess now (not while a trace says what the job reads)
     */
    DirectoryBatcher(SnapshotTree tree, MemoryCache memory, Predicate<Digest> onDisk, Executor fetchers,
                     long maxBatchBytes, Offers offers, Executor guesses, BooleanSupplier guessing) {
        this(tree, memory, onDisk, fetchers, maxBatchBytes, offers, guesses, guessing, false);
    }

    /**
     * @param throughCaches whether HTTP caches stand before the origin: then only guesses that
     *                      can go as a directory's cacheable GET form are made (subpackages'
     *                      compiled modules), not those only a POST can ask for (extension
     *                      modules, sibling files), which every node would send to the origin
     */
    DirectoryBatcher(SnapshotTree tree, MemoryCache memory, Predicate<Digest> onDisk, Executor fetchers,
                     long maxBatchBytes, Offers offers, Executor guesses, BooleanSupplier guessing, boolean throughCaches) {
        if (maxBatchBytes <= 0) {
            throw new IllegalArgumentException("batch size bound must be > 0 bytes, got " + maxBatchBytes);
        }
        this.tree = tree;
        this.memory = memory;
        this.onDisk = onDisk;
        this.fetchers = fetchers;
        this.maxBatchBytes = maxBatchBytes;
        this.offers = offers;
        this.subpackages = guesses == null ? null
                : new SubpackageGuess(tree, this::batchNow, throughCaches ? null : this::extensionsNow, guesses,
                        guessing, SubpackageGuess.MAX_GUESSED_BYTES);
        this.siblings = guesses == null || throughCaches ? null
                : new SiblingFiles(tree, memory, onDisk, guesses, guessing, SiblingFiles.MAX_GUESSED_BYTES);
    }

    /**
     * Called on a file's first read on the mount; the first in a directory that misses every
     * cache starts the directory's batch. One that hits (a warm node, a trace prefetch under way)
     * starts none: what the caches do not hold there was not needed before either. The first read
     * of a shared library none of whose chunks the caches hold fetches them all, in one batch.
     */
    void firstRead(String path, Entry.File file) {
        int chunkSize = tree.snapshot().chunkSize();
        if (Chunking.isChunked(file.size(), chunkSize)) {
            // Big files are read chunk by chunk with read-ahead; shared libraries are the exception.
            if (isSharedLibrary(file) && batched.add(file.content())) {
                fetchLibrary(path, file);
            }
            return;
        }
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return;
        }
        String dirPath = slash == 0 ? "/" : path.substring(0, slash);
        boolean paired = pycache.noteRead(dirPath, file.name());
        if (subpackages != null) {
            subpackages.noteRead(dirPath);
        }
        if (siblings != null) {
            siblings.noteRead(dirPath, file.name());
        }
        // An empty file is never fetched, so it says nothing about what the caches hold.
        if (file.size() == 0 || held(file.content())) {
            return;
        }
        Entry.Dir dir = directory(dirPath);
        if (dir == null || !batched.add(dir.tree())) {
            return;
        }
        batch(dirPath, dir, file, fetchers);
        if (paired) {
            String partnerPath = PycachePairing.partnerOf(dirPath);
            Entry.Dir partner = directory(partnerPath);
            if (partner != null && batched.add(partner.tree())) {
                batch(partnerPath, partner, null, fetchers);
            }
        }
    }

    /** A guessed directory's batch, fetched on this thread unless one has started; the bytes it asked for. */
    private long batchNow(String dirPath, Entry.Dir dir) {
        return batched.add(dir.tree()) ? batch(dirPath, dir, null, Runnable::run) : 0;
    }

    /**
     * A package's extension modules (the shared libraries in its directory) that no read or batch
     * has started, in one batch on this thread: small ones first, then each big one whole, as its
     * first read would fetch it. Returns the bytes asked for.
     */
    private long extensionsNow(String dirPath, Entry.Dir dir) {
        int chunkSize = tree.snapshot().chunkSize();
        List<Digest> small = new ArrayList<>();
        List<Digest> big = new ArrayList<>();
        long bytes = 0;
        try {
            for (Entry e : tree.list(dir).entries()) {
                if (e instanceof Entry.File f && f.size() > 0 && isSharedLibrary(f)) {
                    boolean chunked = Chunking.isChunked(f.size(), chunkSize);
                    // A big one is claimed as its first read would claim it, so that read starts no second batch.
                    if (chunked && !batched.add(f.content())) {
                        continue;
                    }
                    List<Digest> wanted = chunked ? big : small;
                    int before = wanted.size();
                    for (Digest d : chunked ? loadOrder(tree.chunks(f)) : List.of(f.content())) {
                        if (!held(d)) {
                            wanted.add(d);
                        }
                    }
                    if (wanted.size() > before) {
                        bytes += f.size();
                    }
                }
            }
        } catch (IOException e) {
            log.debug("no batch for the extension modules of {}: {}", dirPath, e.getMessage());
            return 0;
        }
        small.addAll(big);
        int claimed = memory.prefetch(small, Runnable::run);
        log.debug("batch for the extension modules of {}: {} objects, {} bytes", dirPath, claimed, bytes);
        return bytes;
    }

    /** Whether memory or the node's disk cache holds this object already: no batch asks for it. */
    private boolean held(Digest digest) {
        return memory.contains(digest) || onDisk.test(digest);
    }

    /** The directory at this path, or null when there is none. */
    private Entry.Dir directory(String dirPath) {
        try {
            return tree.lookup(dirPath) instanceof Entry.Dir d ? d : null;
        } catch (IOException e) {
            return null; // the read itself has found its file; a partner directory may well not exist
        }
    }

    /**
     * Fetches, in one batch on {@code executor}, the small files of {@code dir} that no cache
     * holds, {@code first} (the file being read, or null for a partner or guessed directory) ahead
     * of the rest; returns the bytes asked for.
     */
    private long batch(String dirPath, Entry.Dir dir, Entry.File first, Executor executor) {
        int chunkSize = tree.snapshot().chunkSize();
        List<Digest> members;
        List<Digest> wanted = new ArrayList<>();
        long bytes = 0;
        if (first != null) {
            wanted.add(first.content());
            bytes = first.size();
        }
        try {
            List<Entry> entries = tree.list(dir).entries();
            members = offers == null || maxBatchBytes != SmallFiles.MAX_BYTES ? List.of() : SmallFiles.of(entries, chunkSize);
            for (Entry e : entries) {
                if (e instanceof Entry.File f && (first == null || !f.name().equals(first.name())) && f.size() > 0
                        && !Chunking.isChunked(f.size(), chunkSize) && bytes + f.size() <= maxBatchBytes
                        && !held(f.content())) {
                    wanted.add(f.content());
                    bytes += f.size();
                }
            }
        } catch (IOException e) {
            log.debug("no batch for {}: {}", dirPath, e.getMessage());
            return 0;
        }
        // A lone file being read needs no batch: its read fetches it.
        if (wanted.size() > (first == null ? 0 : 1)) {
            // The GET form brings every member: worth it while the node lacks at least half.
            if (!members.isEmpty() && wanted.size() * 2L >= members.size() && new HashSet<>(members).containsAll(wanted)) {
                offers.offerDirectory(dir.tree(), chunkSize, members);
            }
            int claimed = memory.prefetch(wanted, executor);
            log.debug("batch for {}{}: {} objects, {} bytes", dirPath, first == null ? " (not read yet)" : "", claimed, bytes);
            return bytes;
        }
        return 0;
    }

    /**
     * The loader maps a shared library and then touches its pages out of order as code runs, so
     * sequential read-ahead never starts and each chunk would be a round trip on the job's critical
     * path (and the server's read, hash and compress of it). One streamed batch of the whole library,
     * in {@link #loadOrder}, brings the header and the relocated end first and the rest while the loader works.
     */
    static boolean isSharedLibrary(Entry.File file) {
        return file.size() <= MAX_LIBRARY_BATCH_BYTES && SHARED_LIBRARY.matcher(file.name()).matches();
    }

    private void fetchLibrary(String path, Entry.File file) {
        List<Digest> chunks;
        try {
            chunks = tree.chunks(file);
        } catch (IOException e) {
            log.debug("no batch for library {}: {}", path, e.getMessage());
            return;
        }
        for (Digest d : chunks) {
            if (held(d)) {
                // A warm node, or a trace prefetch under way: what the caches lack was not needed
                // before either, so it is left to the reads, as for a directory.
                return;
            }
        }
        int claimed = memory.prefetch(loadOrder(chunks), fetchers);
        log.debug("batch for library {}: {} chunks", path, claimed);
    }

    /**
     * A library's chunks in the order the loader wants them: the first (the ELF header, the
     * symbol and relocation tables), the last (the relocations write the GOT and data at the end
     * of the file: in the corpus job, the first wait inside each library after its header was
     * for its last chunk), then the rest in file order, as code runs.
     */
    static List<Digest> loadOrder(List<Digest> chunks) {
        if (chunks.size() <= 2) {
            return chunks;
        }
        List<Digest> ordered = new ArrayList<>(chunks.size());
        ordered.add(chunks.get(0));
        ordered.add(chunks.get(chunks.size() - 1));
        ordered.addAll(chunks.subList(1, chunks.size() - 1));
        return ordered;
    }
}
