package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Mounter} and {@link Mounts} end to end against an in-test HTTP server, with real FUSE mounts. */
class MounterIT {
    private static final String ID = "0123456789abcdef";
    @TempDir
    Path tmp;
    private final TestSnapshot objects = new TestSnapshot();
    private final byte[] big = TestSnapshot.bytes(3 * TestSnapshot.CHUNK_SIZE + 5, 3);
    private FakeServer server;
    private Path cacheDir;
    private Path mnt;
    private MountedSnapshot mounted;

    @BeforeEach
    void start() throws IOException {
        Entry.Dir stack = objects.dir("stack",
                objects.file("small.txt", 0644, "hello\n".getBytes()),
                objects.file("big.bin", 0644, big));
        Snapshot snapshot = objects.snapshot(ID, objects.dir("home", objects.dir("a", stack)));
        server = new FakeServer().serve(objects, snapshot);
        cacheDir = tmp.resolve("cache");
        mnt = Files.createDirectory(tmp.resolve("mnt"));
    }

    @AfterEach
    void stop() {
        if (mounted != null) {
            mounted.close();
        }
        server.close();
        assertFalse(Mounts.isMounted(mnt), "a test left a mount behind");
    }

    private MountOptions options(String snapshot, String token) {
        // No trace look-up: these tests count every request; StartupIT covers traces.
        return new MountOptions(server.uri(), token, snapshot, cacheDir, mnt, 1 << 20).withTrace(false, false);
    }

    private MountedSnapshot mount(String snapshot) throws IOException {
        mounted = Mounter.mount(options(snapshot, FakeServer.TOKEN));
        return mounted;
    }

    @Test
    void mountsLazilyAndASecondMountReadsFromTheDiskCache() throws IOException {
        MountedSnapshot first = mount(ID);
        assertEquals(ID, first.snapshot().id());
        assertTrue(Mounts.isMounted(mnt));
        assertEquals(1, server.requests("GET " + Api.SNAPSHOTS + "/" + ID + Api.TREE_SUFFIX));
        assertEquals(0, server.requests("GET " + Api.OBJECTS), "no file content at mount");
        assertEquals(objects.metadata.size(), first.stats().objectsFetched());

        assertEquals("hello\n", Files.readString(mnt.resolve("home/a/stack/small.txt")));
        assertTrue(java.util.Arrays.equals(big, Files.readAllBytes(mnt.resolve("home/a/stack/big.bin"))));
        assertEquals(1 + 4, server.requests("GET " + Api.OBJECTS), "one request per chunk");
        first.close();
        first.close();
        assertFalse(Mounts.isMounted(mnt));

        server.requests.clear();
        MountedSnapshot second = mount("latest");
        assertEquals(ID, second.snapshot().id());
        assertEquals("hello\n", Files.readString(mnt.resolve("home/a/stack/small.txt")));
        assertTrue(java.util.Arrays.equals(big, Files.readAllBytes(mnt.resolve("home/a/stack/big.bin"))));
        assertEquals(java.util.List.of("GET /v1/views/latest", "GET /v1/snapshots/" + ID), server.requests);
        ClientStats stats = second.stats();
        assertEquals(0, stats.objectsFetched());
        assertEquals(0, stats.bytesFetched());
        assertEquals(2, stats.requests());
        // 5 reachable metadata objects (directories and a chunk list) and 5 chunks, all from disk.
        assertEquals(10, stats.diskCacheHits(), stats.toString());
        // Two files read. Their opens: the first refused so the kernel stops asking (Linux 5.1
        // and later), or every one answered by libfuse without us.
        assertTrue(stats.fuseOperations().get("read") >= 2, stats.toString());
        assertEquals(KernelRelease.running().opensWithoutAsking() ? 1 : 0, stats.fuseOperations().get("open"),
                stats.toString());
        assertTrue(stats.fuseOperations().get("getattr") >= 1, stats.toString());
        assertEquals(0, stats.fuseOperations().get("readlink"), stats.toString());
        assertTrue(stats.fuseOperationsTotal() >= 5, stats.toString());
    }

    /**
     * The kernel asks about one open in all, however many files a job opens, and opening a file
     * again keeps its pages: the second read of every file reaches the mount not at all.
     */
    @Test
    void opensAfterTheFirstNeverReachTheMount() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(KernelRelease.running().opensWithoutAsking(),
                "this kernel asks the file system about every open");
        MountedSnapshot m = mount(ID);
        for (int i = 0; i < 10; i++) {
            assertEquals("hello\n", Files.readString(mnt.resolve("home/a/stack/small.txt")));
            assertTrue(java.util.Arrays.equals(big, Files.readAllBytes(mnt.resolve("home/a/stack/big.bin"))));
        }
        java.util.Map<String, Long> ops = m.stats().fuseOperations();
        assertEquals(1, ops.get("open"), ops.toString());
        long reads = ops.get("read");
        assertEquals("hello\n", Files.readString(mnt.resolve("home/a/stack/small.txt")));
        assertTrue(java.util.Arrays.equals(big, Files.readAllBytes(mnt.resolve("home/a/stack/big.bin"))));
        assertEquals(reads, m.stats().fuseOperations().get("read"), "pages kept across opens");
    }

    @Test
    void aSnapshotMountedBeforeMountsAgainWhileTheServerIsAway() throws IOException {
        mount(ID);
        Files.readString(mnt.resolve("home/a/stack/small.txt"));
        mounted.close();
        server.close();

        MountedSnapshot again = mount(ID);

        assertEquals("hello\n", Files.readString(mnt.resolve("home/a/stack/small.txt")));
        assertEquals(0, again.stats().objectsFetched());
    }

    @Test
    void wrongTokenFailsWithoutMounting() {
        ClientException e = assertThrows(ClientException.class, () -> Mounter.mount(options(ID, "wrong")));
        assertEquals(ClientException.UNAUTHORIZED, e.code());
        assertFalse(Mounts.isMounted(mnt));
    }

    @Test
    void unknownSnapshotFailsWithoutMounting() {
        ClientException e = assertThrows(ClientException.class,
                () -> Mounter.mount(options("fedcba9876543210", FakeServer.TOKEN)));
        assertEquals(ClientException.UNKNOWN_SNAPSHOT, e.code());
    }

    @Test
    void badMountpointsAreExplained() throws IOException {
        Path missing = tmp.resolve("missing");
        ClientException e = assertThrows(ClientException.class, () -> Mounter.mount(
                new MountOptions(server.uri(), FakeServer.TOKEN, ID, cacheDir, missing, 0)));
        Path canonical = tmp.toRealPath().resolve("missing");
        assertEquals("mountpoint " + canonical + " does not exist; create it with mkdir -p " + canonical, e.getMessage());

        Path file = Files.writeString(tmp.resolve("file"), "x");
        e = assertThrows(ClientException.class, () -> Mounter.mount(
                new MountOptions(server.uri(), FakeServer.TOKEN, ID, cacheDir, file, 0)));
        assertEquals(ClientException.BAD_MOUNTPOINT, e.code());
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());

        Path full = Files.createDirectory(tmp.resolve("full"));
        Files.writeString(full.resolve("x"), "x");
        e = assertThrows(ClientException.class, () -> Mounter.mount(
                new MountOptions(server.uri(), FakeServer.TOKEN, ID, cacheDir, full, 0)));
        assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
        assertEquals(0, server.requests.size(), "mountpoint checks come before any request");
    }

    @Test
    void alreadyMountedIsExplained() throws IOException {
        mount(ID);
        ClientException e = assertThrows(ClientException.class, () -> Mounter.mount(options(ID, FakeServer.TOKEN)));
        assertEquals(ClientException.ALREADY_MOUNTED, e.code());
        Path canonical = MountTable.canonical(mnt);
        assertEquals(canonical + " is already mounted (fuse.stackshare); unmount it first with `stackshare unmount "
                + canonical + "`", e.getMessage());
    }

    @Test
    void busyMountIsNotUnmountedAndSaysWhy() throws Exception {
        mount(ID);
        try (FileChannel open = FileChannel.open(mnt.resolve("home/a/stack/small.txt"), StandardOpenOption.READ)) {
            ClientException e = assertThrows(ClientException.class, () -> Mounts.unmount(mnt));
            assertEquals(ClientException.BUSY, e.code());
            Path canonical = MountTable.canonical(mnt);
            assertEquals(canonical + " is busy: a process still uses it (see `fuser -m " + canonical + "`)", e.getMessage());
            assertTrue(open.isOpen());
        }
        Mounts.unmount(mnt);
        assertFalse(Mounts.isMounted(mnt));
        Thread waiter = new Thread(() -> {
            try {
                mounted.awaitUnmounted();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        waiter.join(10_000);
        assertFalse(waiter.isAlive(), "awaitUnmounted returns once unmounted from outside");
    }

    @Test
    void refusesToUnmountWhatIsNotStackshare() {
        ClientException e = assertThrows(ClientException.class, () -> Mounts.unmount(Path.of("/proc")));
        assertTrue(e.getMessage().startsWith("/proc is not a stackshare mount (it is proc"), e.getMessage());
        e = assertThrows(ClientException.class, () -> Mounts.unmount(mnt));
        assertEquals(ClientException.NOT_MOUNTED, e.code());
    }

    @Test
    void aStaleMountIsDetectedAndCleanedBeforeMounting() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Dfile.encoding=UTF-8", "-cp", System.getProperty("java.class.path"),
                StaleMountChild.class.getName(), mnt.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                System.out.println("child: " + line);
            }
            assertEquals("ready", line);
        }
        assertTrue(Mounts.isMounted(mnt));
        child.destroyForcibly();
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertTrue(Mounts.isStale(mnt), "a mount whose process was killed with -9 is stale");

        mount(ID);

        assertFalse(Mounts.isStale(mnt));
        assertEquals("hello\n", Files.readString(mnt.resolve("home/a/stack/small.txt")));
    }
}
