package dev.stackshare.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on loopback that breaks the link on purpose, for the fault tests. While faults are
 * on, each new connection draws one fault (or none) from a seeded random source, and the fault
 * strikes in the server-to-client direction at a random byte of that connection:
 *
 * <ul>
 *   <li>{@link Fault#SLOW}: every chunk of the answer is held 1–40 ms (a slow, jittery link);
 *   <li>{@link Fault#STALL}: the answer stops for 0.5–2.5 s, then goes on;
 *   <li>{@link Fault#RESET}: both sides are reset (RST), mid-answer;
 *   <li>{@link Fault#TRUNCATE}: the client's side is closed cleanly (FIN), mid-answer;
 *   <li>{@link Fault#FLIP}: one byte of the first answer's body is inverted, near its start.
 * </ul>
 *
 * <p>A fault counts as fired only when the connection carried enough bytes to reach its point,
 * so the counts say what the client really met. The bench's {@code DelayRelay} models a good
 * network; this one models a bad one and lives with the tests.
 */
final class FaultyRelay implements AutoCloseable {
    enum Fault { SLOW, STALL, RESET, TRUNCATE, FLIP }

    /** Where in the answer stream a fault strikes: within the first this many bytes (or 2 KiB, half the time). */
    private static final int STRIKE_WINDOW = 96 * 1024;
    /** How far into a body a flipped byte lies: the frames of the test trees are larger than this. */
    private static final int FLIP_WINDOW = 900;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Random random;
    private final Map<Fault, AtomicLong> fired = new EnumMap<>(Fault.class);
    private final AtomicLong connections = new AtomicLong();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile double probability;
    private final List<Plan> forced = new java.util.ArrayList<>();
    private volatile boolean closed;

    private FaultyRelay(ServerSocket listener, InetSocketAddress target, long seed) {
        this.listener = listener;
        this.target = target;
        // Scrambled: java.util.Random's first draws from small seeds (1, 2, 3...) are nearly equal.
        this.random = new Random(new java.util.SplittableRandom(seed).nextLong());
        for (Fault f : Fault.values()) {
            fired.put(f, new AtomicLong());
        }
    }

    static FaultyRelay start(InetSocketAddress target, long seed) throws IOException {
        ServerSocket listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        FaultyRelay relay = new FaultyRelay(listener, target, seed);
        daemon("faulty-relay-accept", relay::acceptLoop).start();
        return relay;
    }

    int port() {
        return listener.getLocalPort();
    }

    /** From now on each new connection meets a fault with this probability (0 turns faults off). */
    void faults(double probability) {
        this.probability = probability;
    }

    /** Faults that struck so far, all kinds together. */
    long firedInAll() {
        return fired.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Faults that struck so far, by kind. */
    Map<Fault, Long> fired() {
        Map<Fault, Long> out = new EnumMap<>(Fault.class);
        fired.forEach((f, n) -> out.put(f, n.get()));
        return out;
    }

    long connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }

    /** One connection's fault: what, and at which byte of the answer stream it strikes. */
    private record Plan(Fault fault, long at, long stallMillis) {
    }

    /**
     * The next connections meet these faults, one each, at these bytes of their answers, before
     * any random draw: for the mount's first requests, which are few and short.
     */
    synchronized void forceNext(Fault fault, long at) {
        forced.add(new Plan(fault, at, 1_000));
    }

    private synchronized Plan draw() {
        if (!forced.isEmpty()) {
            return forced.remove(0);
        }
        if (random.nextDouble() >= probability) {
            return null;
        }
        Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
        // Half the faults strike in the first 2 KiB, so short answers (records, small trees) meet them too.
        long at = fault == Fault.FLIP ? random.nextInt(FLIP_WINDOW)
                : random.nextInt(random.nextBoolean() ? 2048 : STRIKE_WINDOW);
        return new Plan(fault, at, 500 + random.nextInt(2000));
    }

    private synchronized boolean hasForced() {
        return !forced.isEmpty();
    }

    private synchronized int jitterMillis() {
        return 1 + random.nextInt(40);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 10_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                open.add(client);
                open.add(server);
                connections.incrementAndGet();
                daemon("faulty-relay-up", () -> copy(client, server)).start();
                daemon("faulty-relay-down", () -> answer(server, client)).start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("faulty relay: " + e.getMessage());
                }
            }
        }
    }

    /** Client to server: passed on untouched. */
    private void copy(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from, to);
        }
    }

    /**
     * Server to client, where the connection's fault (if any) strikes. The fault is drawn when
     * the first answer after faults were turned on begins, so kept-alive connections opened
     * before meet faults too; offsets count from there.
     */
    private void answer(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        Plan plan = null;
        boolean drawn = false;
        long passed = 0; // bytes since the plan was drawn
        long bodyStart = -1; // offset of the first answer's body, once its headers have passed
        int headerMatch = 0;
        boolean struck = false;
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                if (!drawn && (probability > 0 || hasForced())) {
                    drawn = true;
                    plan = draw();
                    passed = 0;
                }
                if (plan != null && plan.fault() == Fault.FLIP && bodyStart < 0) {
                    for (int i = 0; i < n && bodyStart < 0; i++) {
                        char expected = "\r\n\r\n".charAt(headerMatch);
                        headerMatch = buf[i] == expected ? headerMatch + 1 : (buf[i] == '\r' ? 1 : 0);
                        if (headerMatch == 4) {
                            bodyStart = passed + i + 1;
                        }
                    }
                }
                if (plan != null && plan.fault() == Fault.SLOW) {
                    if (!struck) {
                        struck = true;
                        fired.get(Fault.SLOW).incrementAndGet();
                    }
                    sleep(jitterMillis());
                } else if (plan != null && !struck) {
                    long point = plan.fault() == Fault.FLIP
                            ? (bodyStart < 0 ? Long.MAX_VALUE : bodyStart + plan.at()) : plan.at();
                    if (point < passed + n) {
                        int at = (int) (point - passed);
                        struck = true;
                        fired.get(plan.fault()).incrementAndGet();
                        switch (plan.fault()) {
                            case STALL -> {
                                out.write(buf, 0, at);
                                out.flush();
                                sleep(plan.stallMillis());
                                out.write(buf, at, n - at);
                                passed += n;
                                continue;
                            }
                            case RESET -> {
                                out.write(buf, 0, at);
                                out.flush();
                                to.setSoLinger(true, 0);
                                closeQuietly(from, to);
                                return;
                            }
                            case TRUNCATE -> {
                                out.write(buf, 0, at);
                                out.flush();
                                to.shutdownOutput();
                                closeQuietly(from, to);
                                return;
                            }
                            case FLIP -> buf[at] = (byte) ~buf[at];
                            default -> throw new IllegalStateException(plan.fault().toString());
                        }
                    }
                }
                out.write(buf, 0, n);
                passed += n;
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from, to);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket a, Socket b) {
        for (Socket s : new Socket[] {a, b}) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
