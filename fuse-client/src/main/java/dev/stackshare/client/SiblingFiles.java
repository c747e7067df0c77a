package dev.stackshare.client;

import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guesses that a job reading a file of one name in two sibling directories reads it in every
 * sibling, and fetches them all in one batch.
 *
 * <p>Package metadata scans do this: {@code pkg_resources} and {@code importlib.metadata} read
 * {@code PKG-INFO} (or {@code METADATA}, {@code entry_points.txt}) in every {@code *.egg-info}
 * or {@code *.dist-info} directory of a {@code site-packages}, one directory after another, and
 * each is a round trip of its own: the corpus job's {@code pkg_resources} import waited for 41 in a
 * row. Only the named file comes from each sibling, not the sibling's whole directory batch
 * (an {@code egg-info}'s {@code SOURCES.txt} is often the biggest file in it), and the reads
 * that follow hit memory, so they start no batch of their own. Guessed bytes are bounded per
 * mount, and a mount that prefetches a trace does not guess.
 */
final class SiblingFiles {
    private static final Logger log = LoggerFactory.getLogger(SiblingFiles.class);
    /** Raw bytes of sibling guesses a mount fetches at most. */
    static final long MAX_GUESSED_BYTES = 8L * 1024 * 1024;
    /**
     * First reads remembered at most (about 200 bytes each), then forgotten all at once: a job
     * reading a million files must not fill the heap with them, and a metadata scan reads its
     * siblings one after another, so only recent first reads make guesses.
     */
    static final int MAX_REMEMBERED = 65_536;

    private final SnapshotTree tree;
    private final MemoryCache memory;
    private final Predicate<Digest> onDisk;
    private final Executor guesses;
    private final BooleanSupplier guessing;
    private final long maxBytes;
    private final AtomicLong bytesLeft;
    /** The first directory a file of this name was read in, by "parent/name"; the second distinct one guesses. */
    private final Map<String, String> firstReadIn = new ConcurrentHashMap<>();
    private final Set<String> guessed = ConcurrentHashMap.newKeySet();

    /**
     * @param onDisk   whether the node's disk cache holds an object: those are not fetched
     * @param guesses  where guessed batches are fetched: not the pool the job's own batches use
     * @param guessing whether to guess now; asked at each read that could start a guess
     */
    SiblingFiles(SnapshotTree tree, MemoryCache memory, Predicate<Digest> onDisk, Executor guesses,
                 BooleanSupplier guessing, long maxBytes) {
        this.tree = tree;
        this.memory = memory;
        this.onDisk = onDisk;
        this.guesses = guesses;
        this.guessing = guessing;
        this.maxBytes = maxBytes;
        this.bytesLeft = new AtomicLong(maxBytes);
    }

    /** Notes a file's first read, {@code name} in directory {@code dir} (an absolute path in the snapshot). */
    void noteRead(String dir, String name) {
        int slash = dir.lastIndexOf('/');
        if (slash <= 0 || bytesLeft.get() <= 0) {
            return; // the root has no siblings
        }
        String parent = dir.substring(0, slash);
        String key = parent + "/" + name;
        if (firstReadIn.size() >= MAX_REMEMBERED) {
            firstReadIn.clear();
        }
        String first = firstReadIn.putIfAbsent(key, dir);
        if (first == null || first.equals(dir) || !guessing.getAsBoolean()) {
            return;
        }
        if (guessed.size() >= MAX_REMEMBERED) {
            guessed.clear(); // a name guessed again finds its siblings cached: a listing, no fetch
        }
        if (!guessed.add(key)) {
            return;
        }
        firstReadIn.remove(key);
        claim(parent, dir, name);
    }

    /** First reads remembered now; for tests. */
    int remembered() {
        return firstReadIn.size();
    }

    /**
     * Claims {@code name} in every subdirectory of {@code parent} that has it small and uncached,
     * the one being read ({@code readIn}) first, and fetches them in one batch on the guess pool.
     * The claim is made on the reading thread, before that read's own directory batch would be
     * started: the read's file comes with the guess, and its directory's other files (an
     * {@code egg-info}'s {@code SOURCES.txt}) are left to their reads, whichever thread runs first.
     */
    private void claim(String parent, String readIn, String name) {
        try {
            if (!(tree.lookup(parent) instanceof Entry.Dir dir)) {
                return;
            }
            int chunkSize = tree.snapshot().chunkSize();
            String readName = readIn.substring(parent.length() + 1);
            List<Digest> wanted = new ArrayList<>();
            long bytes = 0;
            for (Entry e : tree.list(dir).entries()) {
                if (e instanceof Entry.Dir sibling && tree.list(sibling).find(name) instanceof Entry.File f
                        && f.size() > 0 && !Chunking.isChunked(f.size(), chunkSize)
                        && !memory.contains(f.content()) && !onDisk.test(f.content())) {
                    if (bytes + f.size() > bytesLeft.get()) {
                        log.debug("sibling guesses reached their bound of {} bytes", maxBytes);
                        break;
                    }
                    wanted.add(sibling.name().equals(readName) ? 0 : wanted.size(), f.content());
                    bytes += f.size();
                }
            }
            bytesLeft.addAndGet(-bytes);
            int claimed = memory.prefetch(wanted, guesses);
            log.debug("guessed {} in the subdirectories of {}: {} objects, {} bytes", name, parent, claimed, bytes);
        } catch (IOException | RuntimeException e) {
            log.debug("no guess for {} in the subdirectories of {}: {}", name, parent, e.toString());
        }
    }
}
