package dev.stackshare.client;

import dev.stackshare.client.fuse.FuseDevice;
import dev.stackshare.client.fuse.InitNegotiation;
import dev.stackshare.client.fuse.KernelMount;
import dev.stackshare.client.fuse.KernelSession;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts a snapshot with our own FUSE kernel session: mount (mount(2) as root, fusermount3
 * otherwise), answer INIT, then the session's threads serve until the unmount.
 */
final class KernelSessionMount {
    private static final Logger log = LoggerFactory.getLogger(KernelSessionMount.class);
    /** Requests answered at once: a read waiting on the network holds a thread, look-ups should not queue behind it. */
    static final int THREADS = 16;
    /** 1 MiB reads where the kernel offers MAX_PAGES. */
    static final int MAX_PAGES = 256;
    /** Which session mounts: ours ("kernel") or libfuse 2's ("libfuse"). */
    static final String SESSION_PROPERTY = "stackshare.fuse.session";
    /** INIT flags to refuse although the kernel offers them, by name (to test the fallbacks of older kernels). */
    static final String MASK_PROPERTY = "stackshare.fuse.mask";

    private KernelSessionMount() {
    }

    /** Whether this process mounts with its own kernel session. */
    static boolean chosen() {
        return "kernel".equals(System.getProperty(SESSION_PROPERTY, "kernel"));
    }

    /**
     * Mounts and starts serving; returns the thread that waits for the unmount and then runs
     * {@code afterEnd}. The mount is in the kernel's table when this returns.
     */
    static Thread start(SnapshotKernelFileSystem fs, Path mountpoint, String snapshotId, Counters counters, Runnable afterEnd)
            throws IOException {
        KernelMount.Options options = new KernelMount.Options(Mounts.source(snapshotId), "stackshare", true, true, false);
        FuseDevice device;
        try {
            device = KernelMount.mount(mountpoint, options);
        } catch (IOException e) {
            throw new ClientException(ClientException.MOUNT_FAILED, "cannot mount FUSE on " + mountpoint + ": "
                    + e.getMessage(), e);
        }
        KernelSession session;
        try {
            long masked = InitNegotiation.parseMask(System.getProperty(MASK_PROPERTY, ""));
            session = KernelSession.start(device, fs, new KernelSession.Settings(THREADS, SnapshotKernelFileSystem.VALID,
                    MAX_PAGES, InitNegotiation.WANTED, masked), op -> counters.fuseOperation(FuseOperation.of(op)),
                    "stackshare-fuse " + mountpoint);
        } catch (IOException | RuntimeException e) {
            device.close();
            detachQuietly(mountpoint);
            throw new ClientException(ClientException.MOUNT_FAILED, "cannot start the FUSE session on " + mountpoint + ": "
                    + e.getMessage(), e);
        }
        log.debug("FUSE session on {}: {}", mountpoint, session.negotiated());
        Thread waiter = new Thread(() -> {
            try {
                session.awaitEnd();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                device.close();
                afterEnd.run();
            }
        }, "stackshare-fuse-end " + mountpoint);
        waiter.setDaemon(true);
        waiter.start();
        return waiter;
    }

    private static void detachQuietly(Path mountpoint) {
        try {
            Mounts.detach(mountpoint);
        } catch (IOException e) {
            log.debug("nothing to detach at {}: {}", mountpoint, e.getMessage());
        }
    }
}
