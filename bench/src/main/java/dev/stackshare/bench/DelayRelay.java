package dev.stackshare.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on loopback that emulates a network path: each direction holds its bytes for
 * half the round-trip time before passing them on, and can cap the bandwidth. This kernel has
 * no {@code sch_netem}, so every scenario of the bench (stackshare's HTTP, sshfs's ssh, rsync,
 * tar over ssh) goes through one of these instead.
 *
 * <p>Delay is applied per read, not per packet: bytes that arrive together leave together,
 * half an RTT later. Bandwidth is a serialization delay: a write of {@code n} bytes occupies
 * the link for {@code n / rate} seconds, and writes queue behind each other.
 */
public final class DelayRelay implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final long halfRttNanos;
    private final long bytesPerSecond;
    private final AtomicLong upstreamBytes = new AtomicLong();
    private final AtomicLong downstreamBytes = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final List<Socket> open = new ArrayList<>();
    private volatile boolean closed;

    /** Bytes relayed so far: client to server, server to client, and connections accepted. */
    public record Stats(long upstreamBytes, long downstreamBytes, long connections) {
        /** Bytes relayed in both directions since {@code before} was taken. */
        public long bytesSince(Stats before) {
            return upstreamBytes + downstreamBytes - before.upstreamBytes - before.downstreamBytes;
        }
    }

    private DelayRelay(ServerSocket listener, InetSocketAddress target, Duration rtt, long bytesPerSecond) {
        this.listener = listener;
        this.target = target;
        this.halfRttNanos = rtt.toNanos() / 2;
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * @param target         where to connect for each accepted connection
     * @param rtt            added round-trip time (half each way)
     * @param bytesPerSecond bandwidth cap per direction and connection; 0 for none
     */
    public static DelayRelay start(InetSocketAddress target, Duration rtt, long bytesPerSecond) throws IOException {
        if (rtt.isNegative() || bytesPerSecond < 0) {
            throw new IllegalArgumentException("rtt and bandwidth must not be negative: " + rtt + ", " + bytesPerSecond);
        }
        ServerSocket listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        DelayRelay relay = new DelayRelay(listener, target, rtt, bytesPerSecond);
        daemon("relay-accept-" + listener.getLocalPort(), relay::acceptLoop).start();
        return relay;
    }

    public int port() {
        return listener.getLocalPort();
    }

    public Stats stats() {
        return new Stats(upstreamBytes.get(), downstreamBytes.get(), connections.get());
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 10_000);
                for (Socket s : List.of(client, server)) {
                    s.setTcpNoDelay(true);
                }
                synchronized (open) {
                    open.add(client);
                    open.add(server);
                }
                connections.incrementAndGet();
                pipe(client, server, upstreamBytes);
                pipe(server, client, downstreamBytes);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("relay: " + e.getMessage());
                }
            }
        }
    }

    /** A chunk of bytes and the time it may leave; {@code data == null} marks end of stream. */
    private record Held(long releaseNanos, byte[] data) {
    }

    private void pipe(Socket from, Socket to, AtomicLong counter) {
        BlockingQueue<Held> queue = new LinkedBlockingQueue<>();
        String name = "relay-" + from.getPort() + "-" + to.getPort();
        daemon(name + "-in", () -> {
            byte[] buf = new byte[BUFFER];
            try (InputStream in = from.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    byte[] copy = new byte[n];
                    System.arraycopy(buf, 0, copy, 0, n);
                    queue.add(new Held(System.nanoTime() + halfRttNanos, copy));
                }
            } catch (IOException e) {
                // connection reset or closed: end this direction
            }
            queue.add(new Held(System.nanoTime() + halfRttNanos, null));
        }).start();
        daemon(name + "-out", () -> {
            long linkFree = 0;
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Held held = queue.take();
                    sleepUntil(held.releaseNanos());
                    if (held.data() == null) {
                        to.shutdownOutput();
                        return;
                    }
                    if (bytesPerSecond > 0) {
                        long start = Math.max(System.nanoTime(), linkFree);
                        linkFree = start + held.data().length * 1_000_000_000L / bytesPerSecond;
                        sleepUntil(linkFree);
                    }
                    // Counted before the write: once the peer has the bytes, the stats must too.
                    counter.addAndGet(held.data().length);
                    out.write(held.data());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }).start();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
