package dev.stackshare.client;

import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a job's one-file-after-another opens into one request per directory: the first time a
 * file of a directory is opened, the small files of that directory that no cache holds are
 * fetched in one batch, the opened file first. The batch streams, so the opened file's reader
 * waits for its own object only; the siblings arrive while it works on it.
 *
 * <p>A Python import opens the files of a package one after another, each a round trip when
 * fetched alone; most of a package's modules are imported together, so a directory is the unit
 * that wastes least. Small means one chunk: big files are read chunk by chunk, with read-ahead,
 * except shared libraries, which are fetched whole on their first open (see {@link #isSharedLibrary}).
 */
final class DirectoryBatcher {
    private static final Logger log = LoggerFactory.getLogger(DirectoryBatcher.class);
    /** Raw bytes one directory batch fetches at most, so a directory of many big modules costs a bounded transfer. */
    static final long DEFAULT_MAX_BATCH_BYTES = 16L * 1024 * 1024;
    /** A shared library of up to this size is fetched whole on its first open (see {@link #isSharedLibrary}). */
    static final long MAX_LIBRARY_BATCH_BYTES = 32L * 1024 * 1024;
    private static final Pattern SHARED_LIBRARY = Pattern.compile(".*\\.so(\\.[0-9]+)*");

    private final SnapshotTree tree;
    private final MemoryCache memory;
    private final Predicate<Digest> onDisk;
    private final Executor fetchers;
    private final long maxBatchBytes;
    /**
     * Directories (by tree digest) and libraries (by chunk-list digest) batched already;
     * identical ones share one batch.
     */
    private final Set<Digest> batched = ConcurrentHashMap.newKeySet();

    /**
     * @param onDisk   whether the node's disk cache holds an object: those are left to be read when opened
     * @param fetchers where batches run; opens never wait for them
     */
    DirectoryBatcher(SnapshotTree tree, MemoryCache memory, Predicate<Digest> onDisk, Executor fetchers,
                     long maxBatchBytes) {
        if (maxBatchBytes <= 0) {
            throw new IllegalArgumentException("batch size bound must be > 0 bytes, got " + maxBatchBytes);
        }
        this.tree = tree;
        this.memory = memory;
        this.onDisk = onDisk;
        this.fetchers = fetchers;
        this.maxBatchBytes = maxBatchBytes;
    }

    /**
     * Called on every open of a file; the first open in a directory that misses every cache
     * starts the directory's batch. An open that hits (a warm node, a trace prefetch under way)
     * starts none: what the caches do not hold there was not needed before either. The first open
     * of a shared library fetches its chunks the caches lack, in one batch.
     */
    void opened(String path, Entry.File file) {
        int chunkSize = tree.snapshot().chunkSize();
        if (Chunking.isChunked(file.size(), chunkSize)) {
            // Big files are read chunk by chunk with read-ahead; shared libraries are the exception.
            if (isSharedLibrary(file) && batched.add(file.content())) {
                fetchLibrary(path, file);
            }
            return;
        }
        // An empty file is never fetched, so it says nothing about what the caches hold.
        if (file.size() == 0 || memory.contains(file.content()) || onDisk.test(file.content())) {
            return;
        }
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return;
        }
        Entry.Dir dir;
        try {
            dir = slash == 0 ? tree.root() : (tree.lookup(path.substring(0, slash)) instanceof Entry.Dir d ? d : null);
        } catch (IOException e) {
            return; // the open itself has found the file, so this does not happen; the read fetches it alone
        }
        if (dir == null || !batched.add(dir.tree())) {
            return;
        }
        List<Digest> wanted = new ArrayList<>();
        wanted.add(file.content());
        long bytes = file.size();
        try {
            for (Entry e : tree.list(dir).entries()) {
                if (e instanceof Entry.File f && !f.name().equals(file.name()) && f.size() > 0 && !Chunking.isChunked(f.size(), chunkSize)
                        && bytes + f.size() <= maxBatchBytes && !memory.contains(f.content()) && !onDisk.test(f.content())) {
                    wanted.add(f.content());
                    bytes += f.size();
                }
            }
        } catch (IOException e) {
            log.debug("no batch for {}: {}", path, e.getMessage());
            return;
        }
        if (wanted.size() > 1) {
            int claimed = memory.prefetch(wanted, fetchers);
            log.debug("batch for {}: {} objects, {} bytes", path.substring(0, Math.max(1, slash)), claimed, bytes);
        }
    }

    /**
     * The loader maps a shared library and then touches its pages out of order as code runs, so
     * sequential read-ahead never starts and each chunk would be a round trip on the job's critical
     * path (and the server's read, hash and compress of it). One streamed batch of the whole library,
     * in file order, brings the header first and the rest while the loader relocates.
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
        List<Digest> wanted = new ArrayList<>();
        for (Digest d : chunks) {
            if (!memory.contains(d) && !onDisk.test(d)) {
                wanted.add(d);
            }
        }
        if (!wanted.isEmpty()) {
            int claimed = memory.prefetch(wanted, fetchers);
            log.debug("batch for library {}: {} of {} chunks", path, claimed, chunks.size());
        }
    }
}
