package dev.stackshare.client;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Learns, per mount, whether the job's Python reads a module's source as well as its compiled
 * form, and if so pairs each package directory with its {@code __pycache__} for batching.
 *
 * <p>Python keeps {@code pkg/__pycache__/mod.cpython-311.pyc} beside {@code pkg/mod.py}. When
 * the compiled file is valid the interpreter reads only it, and fetching the sources would waste
 * bytes; when it is stale (a stack copied without its files' times) or checked by hash, it
 * reads the compiled file and then the source, and each package costs two directory batches one
 * after the other, two round trips on the job's path. So pairing waits for evidence: a source
 * read from a directory whose {@code __pycache__} the job read before, in {@link #EVIDENCE}
 * different directories. Until then nothing changes.
 */
final class PycachePairing {
    static final String PYCACHE = "__pycache__";
    /** Directories where a source was read after its compiled form before pairing starts. */
    static final int EVIDENCE = 2;

    /** Directories whose {@code __pycache__} the job has read from; dropped once pairing is on. */
    private final Set<String> compiledRead = ConcurrentHashMap.newKeySet();
    private final AtomicInteger evidence = new AtomicInteger();
    private volatile boolean paired;

    /**
     * Notes a file's first read, {@code name} in directory {@code dir} (an absolute path in the
     * snapshot), and says whether directories are now batched with their partner.
     */
    boolean noteRead(String dir, String name) {
        if (paired) {
            return true;
        }
        if (isPycache(dir)) {
            compiledRead.add(parentOf(dir));
        } else if (name.endsWith(".py") && compiledRead.remove(dir) && evidence.incrementAndGet() >= EVIDENCE) {
            paired = true;
            compiledRead.clear();
        }
        return paired;
    }

    boolean paired() {
        return paired;
    }

    /** The directory batched with {@code dir}: its {@code __pycache__}, or for a {@code __pycache__} its parent. */
    static String partnerOf(String dir) {
        if (isPycache(dir)) {
            return parentOf(dir);
        }
        return dir.equals("/") ? "/" + PYCACHE : dir + "/" + PYCACHE;
    }

    /** Whether {@code dir} (an absolute path in the snapshot) is a {@code __pycache__} directory. */
    static boolean isPycache(String dir) {
        return dir.endsWith("/" + PYCACHE);
    }

    private static String parentOf(String dir) {
        int slash = dir.lastIndexOf('/');
        return slash <= 0 ? "/" : dir.substring(0, slash);
    }
}
