package dev.stackshare.client.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mount's conversation with the kernel: INIT first, then a fixed pool of threads, each
 * blocking in read(2) on the device for the next request and answering it with one write(2).
 *
 * <pre>
 *   kernel ──read(2)──▶ worker: decode ─▶ filesystem ─▶ encode ──write(2)──▶ kernel
 *                      (THREADS of them, each with its own request and reply buffers)
 * </pre>
 *
 * <p>Only what a read-only filesystem of immutable content needs reaches the filesystem:
 * LOOKUP, GETATTR, READLINK, READ, READDIR(PLUS), STATFS. Everything else is answered here, most
 * of it with ENOSYS, which the kernel remembers (OPEN, OPENDIR where negotiated, FLUSH, ACCESS,
 * GETXATTR, LSEEK, ...) so that it never asks again. A READ that waits on the network can be
 * interrupted by the kernel (INTERRUPT, when the job gets a signal): its thread is interrupted
 * and the read answers EINTR.
 */
public final class KernelSession {
    private static final Logger log = LoggerFactory.getLogger(KernelSession.class);
    /** The largest write the kernel may send; a read-only mount gets none, and 4 KiB is the least INIT allows. */
    static final int MAX_WRITE = 4096;
    /** Room for any request but a write: names are at most 255 bytes, BATCH_FORGET is cut to fit by the kernel. */
    private static final int REQUEST_BUFFER = 16 * 1024 + MAX_WRITE;
    private static final int HEADER_BYTES = 16;
    /**
     * Each worker's own reply buffer: room for the reads the kernel's read-ahead makes (128 KiB)
     * and any other answer. A larger READ borrows a buffer of the negotiated maximum from
     * {@link #largeReplies}, so 16 workers keep 2 MB of buffers rather than 16 MB.
     */
    private static final int SMALL_REPLY = 128 * 1024 + HEADER_BYTES;

    /**
     * How a session runs.
     *
     * @param threads    requests answered at once; a READ waiting on the network holds one
     * @param attrValid  how long the kernel may keep attributes from GETATTR
     * @param maxPages   pages in one READ (256: 1 MiB) where the kernel offers MAX_PAGES
     * @param wanted     INIT flags asked for ({@link InitNegotiation})
     * @param masked     INIT flags refused even when the kernel offers them (to test fallbacks)
     */
    public record Settings(int threads, Duration attrValid, int maxPages, long wanted, long masked) {
        public Settings {
            if (threads < 1) {
                throw new IllegalArgumentException("a session needs at least one thread, got " + threads);
            }
            if (maxPages < 1 || maxPages > 256) {
                throw new IllegalArgumentException("max pages must be 1..256, got " + maxPages);
            }
        }
    }

    private final FuseDevice device;
    private final ReadOnlyFilesystem fs;
    private final Settings settings;
    private final InitNegotiation.Negotiated negotiated;
    private final RequestListener listener;
    /** Every worker: an INTERRUPT is for whichever of them answers that READ now. */
    private final List<Worker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    /** Reply buffers of the largest READ, made when first needed and kept for the next. */
    private final ConcurrentLinkedQueue<ByteBuffer> largeReplies = new ConcurrentLinkedQueue<>();
    private final CountDownLatch ended;

    /** Told of every request the kernel sends, before it is answered (to count them by operation). */
    @FunctionalInterface
    public interface RequestListener {
        /** @param op the request's operation, or null for one this protocol version does not know */
        void received(Opcode op);
    }

    private KernelSession(FuseDevice device, ReadOnlyFilesystem fs, Settings settings, InitNegotiation.Negotiated negotiated,
                          RequestListener listener) {
        this.listener = listener;
        this.device = device;
        this.fs = fs;
        this.settings = settings;
        this.negotiated = negotiated;
        this.ended = new CountDownLatch(settings.threads());
    }

    /**
     * Answers the kernel's INIT on this thread, then starts the workers; returns once the
     * kernel has its answer, so the mount serves requests from here on.
     */
    public static KernelSession start(FuseDevice device, ReadOnlyFilesystem fs, Settings settings, RequestListener listener,
                                      String name) throws IOException {
        ByteBuffer request = ByteBuffer.allocateDirect(REQUEST_BUFFER).order(ByteOrder.nativeOrder());
        ByteBuffer reply = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        if (!device.read(request)) {
            throw new IOException("the FUSE connection ended before INIT");
        }
        InitNegotiation.Negotiated negotiated;
        try {
            if (!(RequestDecoder.decode(request) instanceof Request.Init init)) {
                throw new IOException("the kernel's first request was not INIT");
            }
            if (InitNegotiation.awaitsAnotherInit(init)) {
                throw new IOException("the kernel speaks FUSE " + init.major() + "." + init.minor()
                        + ", which this client does not know");
            }
            negotiated = InitNegotiation.Negotiated.of(InitNegotiation.negotiate(init, settings.wanted(), settings.masked(),
                    MAX_WRITE, init.maxReadahead(), settings.maxPages()));
            ReplyEncoder.init(reply, init.header().unique(), negotiated.out(), init.minor());
        } catch (FuseProtocolException e) {
            throw new IOException("cannot start a FUSE session: " + e.getMessage(), e);
        }
        device.write(reply);
        KernelSession session = new KernelSession(device, fs, settings, negotiated, listener);
        listener.received(Opcode.INIT);
        for (int i = 1; i <= settings.threads(); i++) {
            Worker worker = session.new Worker();
            Thread thread = new Thread(worker, name + " #" + i);
            worker.thread = thread;
            session.workers.add(worker);
            thread.setDaemon(true);
            session.threads.add(thread);
        }
        session.threads.forEach(Thread::start);
        return session;
    }

    /** What INIT settled. */
    public InitNegotiation.Negotiated negotiated() {
        return negotiated;
    }

    /** Waits until the filesystem is unmounted and every worker has stopped. */
    public void awaitEnd() throws InterruptedException {
        ended.await();
    }

    /** One thread of the pool, with its own buffers. */
    private final class Worker implements Runnable {
        private final ByteBuffer request = ByteBuffer.allocateDirect(REQUEST_BUFFER).order(ByteOrder.nativeOrder());
        private final ByteBuffer small = ByteBuffer.allocateDirect(Math.min(SMALL_REPLY, HEADER_BYTES + negotiated.maxRead()))
                .order(ByteOrder.nativeOrder());
        /** Where the answer being made is written: {@link #small}, or a large buffer for a large READ. */
        private ByteBuffer reply = small;
        private Thread thread;
        /** The READ this worker answers now (0: none), guarded by this worker's lock. */
        private long current;

        @Override
        public void run() {
            try {
                while (device.read(request)) {
                    answer();
                }
            } catch (IOException | RuntimeException e) {
                log.warn("the FUSE session stopped: {}", e.toString());
            } finally {
                ended.countDown();
            }
        }

        private void answer() throws IOException {
            Request r;
            try {
                r = RequestDecoder.decode(request);
            } catch (FuseProtocolException e) {
                log.warn("a request from the kernel could not be read: {}", e.getMessage());
                long unique = request.limit() >= HEADER_BYTES ? request.getLong(8) : 0;
                if (unique != 0) {
                    ReplyEncoder.error(reply, unique, Errno.EIO);
                    device.write(reply);
                }
                return;
            }
            listener.received(Opcode.of(r.header().opcode()));
            try {
                if (reply(r)) {
                    device.write(reply);
                }
            } finally {
                if (reply != small) {
                    largeReplies.offer(reply);
                    reply = small;
                }
            }
        }

        /** Fills {@link #reply} for a request; false for the requests that get none. */
        private boolean reply(Request r) {
            long unique = r.header().unique();
            long node = r.header().nodeId();
            try {
                if (r instanceof Request.Lookup l) {
                    EntryOut entry = fs.lookup(node, l.name());
                    ReplyEncoder.entry(reply, unique, entry != null ? entry : negativeEntry());
                } else if (r instanceof Request.Getattr) {
                    ReplyEncoder.attr(reply, unique, settings.attrValid().toNanos(), fs.getattr(node));
                } else if (r instanceof Request.Readlink) {
                    byte[] target = fs.readlink(node);
                    ReplyEncoder.data(reply, unique, target, 0, target.length);
                } else if (r instanceof Request.Read read) {
                    read(read);
                } else if (r instanceof Request.Readdir rd) {
                    DirectoryListing listing = new DirectoryListing(reply, unique, rd.size(), rd.plus());
                    fs.readdir(node, rd.offset(), listing);
                    listing.finish();
                } else if (r instanceof Request.Ioctl) {
                    // Python's isatty() on every open: answered on the shortest path.
                    ReplyEncoder.error(reply, unique, Errno.ENOTTY);
                } else if (r instanceof Request.Statfs) {
                    ReplyEncoder.statfs(reply, unique, fs.statfs());
                } else if (r instanceof Request.Open || r instanceof Request.Opendir) {
                    open(unique, r instanceof Request.Opendir);
                } else if (r instanceof Request.Release || r instanceof Request.Releasedir || r instanceof Request.Destroy) {
                    ReplyEncoder.empty(reply, unique);
                } else if (r instanceof Request.Forget || r instanceof Request.BatchForget) {
                    return false; // node ids are the filesystem's to keep; a FORGET gets no answer
                } else if (r instanceof Request.Interrupt i) {
                    interrupt(i.interruptedUnique());
                    return false;
                } else {
                    ReplyEncoder.error(reply, unique, unanswered(r.header().opcode()));
                }
            } catch (FuseException e) {
                ReplyEncoder.error(reply, unique, e.errno());
            } catch (RuntimeException e) {
                // A bug answering one request must not take the worker, and with it the mount, away.
                log.error("answering {} failed", Opcode.of(r.header().opcode()), e);
                ReplyEncoder.error(reply, unique, Errno.EIO);
            }
            return true;
        }

        private void read(Request.Read read) throws FuseException {
            long unique = read.header().unique();
            synchronized (this) {
                current = unique;
            }
            if (HEADER_BYTES + read.size() > small.capacity()) {
                ByteBuffer large = largeReplies.poll();
                reply = large != null ? large
                        : ByteBuffer.allocateDirect(HEADER_BYTES + negotiated.maxRead()).order(ByteOrder.nativeOrder());
            }
            try {
                ByteBuffer data = ReplyEncoder.beginData(reply, unique);
                int n = fs.read(read.header().nodeId(), read.offset(), Math.min(read.size(), data.remaining()), data);
                ReplyEncoder.endData(reply, n);
            } finally {
                synchronized (this) {
                    current = 0;
                    if (Thread.interrupted()) {
                        // Interrupted while reading: the caller has its signal; the kernel takes EINTR.
                        ReplyEncoder.error(reply, unique, Errno.EINTR);
                    }
                }
            }
        }

        void interruptIf(long unique) {
            synchronized (this) {
                if (current == unique) {
                    thread.interrupt();
                }
            }
        }

        private void open(long unique, boolean directory) {
            boolean noOpen = directory ? negotiated.has(InitNegotiation.FUSE_NO_OPENDIR_SUPPORT)
                    : negotiated.has(InitNegotiation.FUSE_NO_OPEN_SUPPORT);
            if (noOpen) {
                // The kernel keeps the page cache (and listings) and sends no OPEN or RELEASE again.
                ReplyEncoder.error(reply, unique, Errno.ENOSYS);
            } else {
                ReplyEncoder.open(reply, unique, 0, ReplyEncoder.FOPEN_KEEP_CACHE
                        | (directory ? ReplyEncoder.FOPEN_CACHE_DIR : 0));
            }
        }
    }

    /** Interrupts the worker answering READ {@code unique}, if one still is (a rare request: a scan of 16 is cheap). */
    private void interrupt(long unique) {
        for (Worker worker : workers) {
            worker.interruptIf(unique);
        }
    }

    private EntryOut negativeEntry() {
        return EntryOut.negative(settings.attrValid().toNanos());
    }

    /** The answer to what a read-only filesystem of immutable content does not do. */
    private static int unanswered(int opcode) {
        Opcode op = Opcode.of(opcode);
        if (op == null) {
            return Errno.ENOSYS;
        }
        return switch (op) {
            case SETATTR, SYMLINK, MKNOD, MKDIR, UNLINK, RMDIR, RENAME, RENAME2, LINK, WRITE, CREATE, SETXATTR,
                 REMOVEXATTR, FALLOCATE, COPY_FILE_RANGE, TMPFILE -> Errno.EROFS;
            default -> Errno.ENOSYS; // FLUSH, ACCESS, GETXATTR, LISTXATTR, LSEEK, ...: the kernel stops asking
        };
    }
}
