package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one publish in flight, bumped by the scanner's threads and read at any moment by
 * whoever shows progress (a streamed HTTP answer, the log). Reads are not one consistent cut;
 * each counter only grows, which is all a progress bar needs.
 */
final class PublishProgress {
    private final long startNanos = System.nanoTime();
    final LongAdder filesSeen = new LongAdder();
    final LongAdder bytesSeen = new LongAdder();
    /** Files and bytes the index could not vouch for, queued to be read. */
    final LongAdder filesToHash = new LongAdder();
    final LongAdder bytesToHash = new LongAdder();
    final LongAdder filesHashed = new LongAdder();
    final LongAdder bytesHashed = new LongAdder();
    final LongAdder objectsFrozen = new LongAdder();
    final LongAdder bytesFrozen = new LongAdder();
    private final AtomicInteger rootsToWalk = new AtomicInteger(-1);
    private final Queue<String> leftOut = new ConcurrentLinkedQueue<>();

    /** An entry the scanner left out of the snapshot (its path as a warning names it), for the publish summary. */
    void leftOut(String path, String why) {
        if (leftOut.size() < Api.PublishProgress.MAX_LEFT_OUT) {
            leftOut.add(path + ": " + why);
        }
    }

    /** Called once, before the walk starts, with the number of roots it scans. */
    void expectRoots(int roots) {
        rootsToWalk.set(roots);
    }

    /** One root is listed to its last directory; once all are, the to-hash totals are final. */
    void rootWalked() {
        rootsToWalk.decrementAndGet();
    }

    boolean walked() {
        int left = rootsToWalk.get();
        return left == 0;
    }

    Api.PublishProgress snapshot() {
        return new Api.PublishProgress(walked(), filesSeen.sum(), bytesSeen.sum(), filesToHash.sum(),
                bytesToHash.sum(), filesHashed.sum(), bytesHashed.sum(), objectsFrozen.sum(), bytesFrozen.sum(),
                (System.nanoTime() - startNanos) / 1_000_000, List.copyOf(leftOut));
    }
}
