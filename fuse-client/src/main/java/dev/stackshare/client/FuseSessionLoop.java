package dev.stackshare.client;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libfuse's request loop, run on Java threads. jnr-fuse mounts with {@code fuse_main}, whose
 * worker threads are libfuse's own: every request they hand to Java attaches the thread to the
 * JVM and detaches it again (a new {@code java.lang.Thread} each time, then the JVM's thread-list
 * clean-up), which was a tenth of the mount's CPU in a profile of the corpus job. Here the same
 * libfuse calls that {@code fuse_main} makes ({@code fuse_setup}, then receive and process each
 * request, then {@code fuse_teardown}) run on threads the JVM started, so a request costs only
 * the call into Java.
 */
final class FuseSessionLoop {
    private static final Logger log = LoggerFactory.getLogger(FuseSessionLoop.class);
    /**
     * Requests handled at once. A read waiting for the network holds its thread, so there are
     * enough that look-ups and cached reads seldom queue behind fetches (a job reads one file at a
     * time, the kernel's read-ahead a few more; libfuse's own loop grows as needed and keeps up to
     * 10 idle).
     */
    static final int THREADS = 16;
    private static final int EINTR = 4;
    /** How long the other workers get to notice that the session has ended. */
    private static final long STOP_WAIT_MILLIS = 5_000;

    /** The libfuse 2.9 calls {@code fuse_main} is made of. */
    public interface LibFuseSession {
        Pointer fuse_setup(int argc, String[] argv, Pointer operations, long operationsSize,
                           PointerByReference mountpoint, IntByReference multithreaded, Pointer userData);

        void fuse_teardown(Pointer fuse, Pointer mountpoint);

        Pointer fuse_get_session(Pointer fuse);

        Pointer fuse_session_next_chan(Pointer session, Pointer channel);

        long fuse_chan_bufsize(Pointer channel);

        int fuse_chan_recv(PointerByReference channel, Pointer buffer, long size);

        void fuse_session_process(Pointer session, Pointer buffer, long length, Pointer channel);

        int fuse_session_exited(Pointer session);

        void fuse_session_exit(Pointer session);
    }

    private FuseSessionLoop() {
    }

    /**
     * Mounts {@code fs} on {@code mountpoint} and serves requests until it is unmounted; then
     * unmounts what is left and returns.
     *
     * @param options libfuse's, such as {@code -o ro,...}
     * @throws IllegalStateException when libfuse cannot mount (its own message is on stderr)
     */
    static void run(SnapshotFileSystem fs, Path mountpoint, String... options) {
        // fuse_main's arguments: program name, foreground, mountpoint, options.
        List<String> argv = new ArrayList<>(List.of("stackshare", "-f", mountpoint.toString()));
        argv.addAll(List.of(options));
        String[] args = argv.toArray(String[]::new);
        LibFuseSession fuse = LibraryLoader.create(LibFuseSession.class).failImmediately().load("fuse");
        PointerByReference mounted = new PointerByReference();
        Pointer handle = fuse.fuse_setup(args.length, args, fs.operations(), fs.operationsSize(), mounted,
                new IntByReference(), null);
        if (handle == null) {
            throw new IllegalStateException("libfuse could not mount " + mountpoint);
        }
        try {
            Pointer session = fuse.fuse_get_session(handle);
            Pointer channel = fuse.fuse_session_next_chan(session, null);
            long bufferSize = fuse.fuse_chan_bufsize(channel);
            List<Thread> workers = new ArrayList<>();
            CountDownLatch oneEnded = new CountDownLatch(1);
            for (int i = 1; i <= THREADS; i++) {
                Thread worker = new Thread(() -> {
                    try {
                        serve(fuse, session, channel, bufferSize);
                    } finally {
                        oneEnded.countDown();
                    }
                }, Thread.currentThread().getName() + " #" + i);
                worker.setDaemon(true);
                worker.start();
                workers.add(worker);
            }
            oneEnded.await();
            // An unmount fails every worker's read at once; an error stops only the worker that met
            // it, and the others stay blocked in read(2) until the filesystem goes: detach it then.
            if (!joined(workers, STOP_WAIT_MILLIS)) {
                log.warn("libfuse's request loop stopped on an error; detaching {}", mountpoint);
                try {
                    Mounts.detach(mountpoint);
                } catch (IOException e) {
                    log.warn("cannot detach {}: {}", mountpoint, e.getMessage());
                }
                joined(workers, STOP_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fuse.fuse_teardown(handle, mounted.getValue());
        }
    }

    /** Whether every worker ended within {@code millis}. */
    private static boolean joined(List<Thread> workers, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread worker : workers) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left > 0) {
                worker.join(left);
            }
            if (worker.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** One worker: receive a request, have libfuse call the filesystem for it, until the session ends. */
    private static void serve(LibFuseSession fuse, Pointer session, Pointer channel, long bufferSize) {
        Pointer buffer = Memory.allocateDirect(Runtime.getSystemRuntime(), Math.toIntExact(bufferSize));
        while (fuse.fuse_session_exited(session) == 0) {
            PointerByReference from = new PointerByReference(channel); // libfuse may name another channel
            int received = fuse.fuse_chan_recv(from, buffer, bufferSize);
            if (received == -EINTR) {
                continue;
            }
            if (received <= 0) {
                // Unmounted (libfuse has marked the session exited) or the device failed: every worker stops.
                if (received < 0) {
                    log.debug("reading /dev/fuse failed with errno {}", -received);
                }
                fuse.fuse_session_exit(session);
                break;
            }
            fuse.fuse_session_process(session, buffer, received, from.getValue());
        }
    }
}
