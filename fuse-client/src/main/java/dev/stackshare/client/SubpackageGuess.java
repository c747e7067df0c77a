package dev.stackshare.client;

import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guesses that a Python package being imported will import its subpackages and its own extension
 * modules, and fetches their compiled modules and the extension modules ahead of the job.
 *
 * <p>Importing a package runs its {@code __init__}, which mostly imports its subpackages one
 * after another ({@code numpy} imports {@code numpy.core}, {@code numpy.lib}, ...), and each is
 * a directory batch the job waits for in turn. So the first time the job reads from a package's
 * {@code __pycache__} (a directory with an {@code __init__.py}, not {@code site-packages}), the
 * {@code __pycache__} of each of its subpackages (a directory with an
 * {@code __init__.py}; test packages left out) is batched on a thread of its own, so that the
 * job's own batches never queue behind a guess. So are the package's own extension modules (the
 * shared libraries in its directory, such as {@code numpy/core/_multiarray_umath...so}), which its
 * {@code __init__} mostly loads a few milliseconds later: in the corpus job, 37 of the 43 MB of
 * extension modules in the packages it imports were loaded. Guessed bytes are bounded per mount,
 * and a mount that prefetches a trace does not guess: the trace says what the job reads.
 */
final class SubpackageGuess {
    private static final Logger log = LoggerFactory.getLogger(SubpackageGuess.class);
    /** Raw bytes of guessed batches a mount fetches at most. */
    static final long MAX_GUESSED_BYTES = 64L * 1024 * 1024;
    /** Subpackages that a package's import does not import. */
    private static final Set<String> NOT_IMPORTED = Set.of("tests", "test", "testing");

    /** Batches some files of one directory if no batch of them has started, on the calling thread; returns the bytes asked for. */
    @FunctionalInterface
    interface Batches {
        long batchNow(String path, Entry.Dir dir);
    }

    private final SnapshotTree tree;
    private final Batches batches;
    private final Batches extensions;
    private final Executor guesses;
    private final BooleanSupplier guessing;
    private final Set<String> guessedFrom = ConcurrentHashMap.newKeySet();
    private final long maxBytes;
    private final AtomicLong bytesLeft;

    /**
     * @param batches    a directory's small files ({@code __pycache__})
     * @param extensions a package directory's extension modules, or null for none
     * @param guesses    where guessed batches are fetched: not the pool the job's own batches use
     * @param guessing   whether to guess now; asked at each read that could start a guess
     */
    SubpackageGuess(SnapshotTree tree, Batches batches, Batches extensions, Executor guesses, BooleanSupplier guessing,
                    long maxBytes) {
        this.tree = tree;
        this.batches = batches;
        this.extensions = extensions;
        this.guesses = guesses;
        this.guessing = guessing;
        this.maxBytes = maxBytes;
        this.bytesLeft = new AtomicLong(maxBytes);
    }

    /** Notes a file's first read in directory {@code dir}; the first in a package's {@code __pycache__} starts the guess. */
    void noteRead(String dir) {
        if (!PycachePairing.isPycache(dir) || bytesLeft.get() <= 0 || !guessing.getAsBoolean()
                || !guessedFrom.add(dir)) {
            return;
        }
        String pkg = PycachePairing.partnerOf(dir);
        try {
            // Two tasks, so that a big extension module does not hold up the subpackages' batches.
            if (extensions != null) {
                guesses.execute(() -> guessExtensions(pkg));
            }
            guesses.execute(() -> guess(pkg));
        } catch (RejectedExecutionException e) {
            // the mount is closing
        }
    }

    private boolean isPackage(Entry.Dir dir) throws IOException {
        return tree.list(dir).find("__init__.py") instanceof Entry.File;
    }

    private void guessExtensions(String pkg) {
        try {
            if (tree.lookup(pkg) instanceof Entry.Dir dir && isPackage(dir) && bytesLeft.get() > 0) {
                bytesLeft.addAndGet(-extensions.batchNow(pkg, dir));
            }
        } catch (IOException | RuntimeException e) {
            log.debug("no guess for the extension modules of {}: {}", pkg, e.toString());
        }
    }

    private void guess(String pkg) {
        try {
            // A __pycache__ beside top-level modules (site-packages) is no package's: its neighbours are not imported with it.
            if (!(tree.lookup(pkg) instanceof Entry.Dir dir) || !isPackage(dir)) {
                return;
            }
            for (Entry e : tree.list(dir).entries()) {
                if (bytesLeft.get() <= 0) {
                    log.debug("guessed batches reached their bound of {} bytes", maxBytes);
                    return;
                }
                if (e instanceof Entry.Dir sub && !NOT_IMPORTED.contains(sub.name()) && isPackage(sub)
                        && tree.list(sub).find(PycachePairing.PYCACHE) instanceof Entry.Dir compiled) {
                    String path = (pkg.equals("/") ? "" : pkg) + "/" + sub.name() + "/" + PycachePairing.PYCACHE;
                    bytesLeft.addAndGet(-batches.batchNow(path, compiled));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("no guess for the subpackages of {}: {}", pkg, e.toString());
        }
    }
}
