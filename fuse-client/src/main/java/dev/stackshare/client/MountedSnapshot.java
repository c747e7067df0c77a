package dev.stackshare.client;

import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A snapshot mounted by this process; closing it unmounts it. */
public final class MountedSnapshot implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MountedSnapshot.class);
    /** How long close() waits for libfuse's loop to end after the unmount. */
    private static final long LOOP_EXIT_MILLIS = 10_000;

    private final Snapshot snapshot;
    private final Path mountpoint;
    private final Counters counters;
    private final LongSupplier filesBeingRead;
    private final Thread loop;
    private final ExecutorService readAhead;
    private boolean closed;
    /** Work of this mount to finish before close() returns, such as metadata still being written to disk. */
    private volatile Future<?> pending = CompletableFuture.completedFuture(null);

    /** @param loop the thread that ends when the filesystem is unmounted */
    MountedSnapshot(Snapshot snapshot, Path mountpoint, Counters counters, LongSupplier filesBeingRead, Thread loop,
                    ExecutorService readAhead) {
        this.snapshot = snapshot;
        this.mountpoint = mountpoint;
        this.counters = counters;
        this.filesBeingRead = filesBeingRead;
        this.loop = loop;
        this.readAhead = readAhead;
    }

    /** Run by {@link #close()} once the filesystem is down, such as the disk cache's write-behind flush. */
    private volatile Runnable flush = () -> { };

    /** Makes {@link #close()} wait (boundedly) for this work, so the next mount finds what it wrote. */
    void finishBeforeClose(Future<?> work) {
        pending = work;
    }

    /** Makes {@link #close()} run this (which bounds its own wait) once the filesystem is down. */
    void flushBeforeClose(Runnable flush) {
        this.flush = flush;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Where it is mounted, as the kernel's mount table shows it (absolute, symbolic links in its parent resolved). */
    public Path mountpoint() {
        return mountpoint;
    }

    public ClientStats stats() {
        return counters.snapshot();
    }

    /** {@code GET /v1/packs/...} requests made (the trace prefetch's), counted in the stats' requests too. */
    public long packRequests() {
        return counters.packRequests();
    }

    /** Blocks until the filesystem is unmounted, by {@link #close()} or from outside ({@code fusermount -u}). */
    public void awaitUnmounted() throws InterruptedException {
        loop.join();
    }

    /**
     * Unmounts; idempotent. A mount still in use is detached lazily rather than left behind:
     * the path is free at once and the processes using it see errors once this process exits.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // Not in the table any more: unmounted from outside, or by jnr-fuse's own exit hook.
            if (loop.isAlive() && Mounts.isMounted(mountpoint)) {
                try {
                    Mounts.unmount(mountpoint);
                } catch (IOException e) {
                    log.warn("{}; detaching it lazily", e.getMessage());
                    detach();
                }
            }
            loop.join(LOOP_EXIT_MILLIS);
            if (loop.isAlive()) {
                log.warn("the FUSE loop of {} did not end within {} ms", mountpoint, LOOP_EXIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            readAhead.shutdownNow();
            flush.run();
            try {
                pending.get(LOOP_EXIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("the mount's last writes did not finish: {}", e.toString());
            }
        }
    }

    private void detach() {
        try {
            Mounts.detach(mountpoint);
        } catch (IOException e) {
            log.warn("cannot detach {}: {}", mountpoint, e.getMessage());
        }
    }

    /** Files whose read state the mount keeps; for tests. */
    long filesBeingRead() {
        return filesBeingRead.getAsLong();
    }
}
