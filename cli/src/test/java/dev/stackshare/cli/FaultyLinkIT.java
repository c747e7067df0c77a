package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.client.MountOptions;
import dev.stackshare.client.MountedSnapshot;
import dev.stackshare.client.Mounter;
import dev.stackshare.protocol.Api;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad links and bad bytes, with a real server and real mounts: a job reads a whole tree through
 * a relay that slows, stalls, resets, truncates and corrupts answers, and every byte must come
 * out right; objects corrupted in the client's disk cache must be dropped and fetched again.
 * Each test prints what it tried, for docs/reliability.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultyLinkIT {
    /** Mounts through the relay, each with a fresh cache and its own seed. */
    static final int ROUNDS = 14;
    /** Chance that a connection meets a fault once faults are on. */
    static final double FAULT_PROBABILITY = 0.6;

    @TempDir
    static Path base;
    Path stack;
    StackshareServer server;
    String token;

    @BeforeAll
    void startServer() throws Exception {
        stack = base.resolve("stack");
        FaultTree.build(stack, 5, 8, 10, 1_300_000, 2_700_000, 700_000);
        server = StackshareServer.start(new ServerConfig(List.of(stack), new InetSocketAddress("127.0.0.1", 0),
                base.resolve("state"), Api.DEFAULT_VIEW));
        token = Files.readString(server.tokenFile()).strip();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private MountedSnapshot mount(URI url, Path cache) throws IOException {
        Path mnt = Files.createTempDirectory(base, "mnt");
        return Mounter.mount(new MountOptions(url, token, server.firstSnapshot().id(), cache, mnt, 64L << 20)
                .withTrace(false, false).withFetchDeadline(Duration.ofSeconds(120)));
    }

    private Path inMount(MountedSnapshot m) {
        return m.mountpoint().resolve(stack.toString().substring(1));
    }

    @Test
    void aJobReadingThroughABrokenLinkGetsEveryByteRight() throws Exception {
        Map<FaultyRelay.Fault, Long> fired = new EnumMap<>(FaultyRelay.Fault.class);
        long connections = 0;
        int files = 0;
        long bytes = 0;
        long duringMounts = 0;
        long servedBefore = server.stats().objectsServed();
        long started = System.nanoTime();
        for (int round = 1; round <= ROUNDS; round++) {
            try (FaultyRelay relay = FaultyRelay.start(new InetSocketAddress("127.0.0.1", server.port()), round)) {
                relay.faults(FAULT_PROBABILITY); // the mount's own requests meet faults too
                try (MountedSnapshot m = mount(URI.create("http://127.0.0.1:" + relay.port()),
                        Files.createTempDirectory(base, "cache"))) {
                    duringMounts += relay.firedInAll();
                    FaultTree.Compared read = FaultTree.compare(stack, inMount(m), 4);
                    assertEquals(List.of(), read.wrong(), "round " + round + ": every byte read right");
                    files += read.files();
                    bytes += read.bytes();
                }
                relay.fired().forEach((f, n) -> fired.merge(f, n, Long::sum));
                connections += relay.connections();
            }
        }
        long served = server.stats().objectsServed() - servedBefore;
        System.out.printf("FaultyLinkIT broken link: %d rounds, %d files (%d bytes) compared, 0 wrong; %d connections,"
                        + " faults fired %s (%d in all, %d of them while mounting); %d objects served for %d objects'"
                        + " worth of reads; %d s%n",
                ROUNDS, files, bytes, connections, fired, fired.values().stream().mapToLong(Long::longValue).sum(),
                duringMounts, served, files, (System.nanoTime() - started) / 1_000_000_000L);
        for (FaultyRelay.Fault f : FaultyRelay.Fault.values()) {
            assertTrue(fired.getOrDefault(f, 0L) > 0, "the relay tried " + f + " at least once: " + fired);
        }
    }

    @Test
    void aMountWhoseFirstAnswersBreakTriesAgainAndMounts() throws Exception {
        // Each connection meets one fault: the snapshot record's, then the tree's, and so on.
        List<FaultyRelay.Fault> faults = List.of(FaultyRelay.Fault.TRUNCATE, FaultyRelay.Fault.RESET,
                FaultyRelay.Fault.FLIP, FaultyRelay.Fault.STALL, FaultyRelay.Fault.RESET);
        int mounted = 0;
        long[] at = {40, 300, 20, 100, 1500};
        for (int i = 0; i < faults.size(); i++) {
            try (FaultyRelay relay = FaultyRelay.start(new InetSocketAddress("127.0.0.1", server.port()), 100 + i)) {
                for (int k = 0; k <= i; k++) {
                    relay.forceNext(faults.get(k), at[k]);
                }
                try (MountedSnapshot m = mount(URI.create("http://127.0.0.1:" + relay.port()),
                        Files.createTempDirectory(base, "cache"))) {
                    assertEquals(List.of(), FaultTree.compare(stack, inMount(m), 4).wrong());
                    mounted++;
                }
                assertEquals(i + 1, relay.firedInAll(), "every forced fault struck: " + relay.fired());
            }
        }
        System.out.printf("FaultyLinkIT broken mount: %d mounts whose first 1 to %d answers broke (%s), all mounted"
                + " and read right%n", mounted, faults.size(), faults);
    }

    /** Ways an object file in the disk cache can go bad (a bad disk, a crash, a hand edit). */
    enum Damage { FLIP_A_BYTE, CUT_IN_HALF, ONE_BYTE_MORE, EMPTY, ANOTHER_OBJECTS_BYTES }

    @Test
    void objectsCorruptedInTheDiskCacheAreDroppedAndFetchedAgain() throws Exception {
        Path cache = Files.createTempDirectory(base, "cache");
        try (MountedSnapshot m = mount(server.url(), cache)) {
            assertEquals(List.of(), FaultTree.compare(stack, inMount(m), 4).wrong());
        }
        List<Path> objects = FaultTree.cachedObjects(cache);
        assertTrue(objects.size() > 80, "the first mount filled the cache: " + objects.size());
        java.util.Set<String> content = FaultTree.contentDigests(stack, server.firstSnapshot().chunkSize());
        int damagedContent = 0;
        Random random = new Random(11);
        Map<Damage, Integer> damaged = new EnumMap<>(Damage.class);
        int cases = 0;
        for (int i = 0; i < objects.size(); i += 3) { // every third object, damage kinds in turn
            Path file = objects.get(i);
            Damage how = Damage.values()[cases++ % Damage.values().length];
            byte[] raw = Files.readAllBytes(file);
            byte[] bad = switch (how) {
                case FLIP_A_BYTE -> {
                    byte[] b = raw.clone();
                    int at = random.nextInt(b.length);
                    b[at] = (byte) ~b[at];
                    yield b;
                }
                case CUT_IN_HALF -> java.util.Arrays.copyOf(raw, raw.length / 2);
                case ONE_BYTE_MORE -> java.util.Arrays.copyOf(raw, raw.length + 1);
                case EMPTY -> new byte[0];
                case ANOTHER_OBJECTS_BYTES -> Files.readAllBytes(objects.get((i + 1) % objects.size()));
            };
            Files.write(file, bad);
            if (content.contains(file.getFileName().toString())) {
                damagedContent++;
            }
            damaged.merge(how, 1, Integer::sum);
        }
        long servedBefore = server.stats().objectsServed();
        try (MountedSnapshot m = mount(server.url(), cache)) {
            FaultTree.Compared read = FaultTree.compare(stack, inMount(m), 4);
            assertEquals(List.of(), read.wrong(), "every file reads right despite the damaged cache");
        }
        long refetched = server.stats().objectsServed() - servedBefore;
        assertEquals(List.of(), FaultTree.partialOrWrong(cache), "each damaged object was replaced by a good copy");
        System.out.printf("FaultyLinkIT corrupt cache: %d of %d cached objects damaged %s, %d of them file content"
                        + " (the others directories, which come back in the mount's tree request); all files read right,"
                        + " %d objects fetched again, cache whole afterwards%n",
                cases, objects.size(), damaged, damagedContent, refetched);
        assertTrue(refetched >= damagedContent, "each damaged content object was fetched again: " + refetched);
    }
}
