package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublisherTest {
    @TempDir
    Path tmp;
    ScanFixture fx;
    SnapshotStore snapshots;
    StableLocations stable = new StableLocations();

    private Publisher publisher(Path... roots) throws IOException {
        fx = new ScanFixture(tmp.resolve("state/objects"));
        snapshots = SnapshotStore.open(tmp.resolve("state/snapshots"), tmp.resolve("state/views"));
        Clock frozenClock = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);
        return new Publisher(RootSet.of(List.of(roots)), fx.scanner, fx.store, stable, snapshots, ScanFixture.CHUNK,
                frozenClock, new Random(1), java.util.Map.of("STACK", "test"));
    }

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void eachRootSitsUnderItsAbsolutePathWithRealDirectoryAttributes() throws IOException {
        Path stack = Trees.file(tmp, "home/alice/stack/bin/tool", "t").getParent().getParent();
        Path wt = Trees.file(tmp, "home/alice/wt/src/x.py", "x").getParent().getParent();
        Files.createDirectories(wt.resolve(".git"));
        Snapshot s = publisher(stack, wt).publish("default");

        String alice = tmp.resolve("home/alice").toString().substring(1);
        Entry.Dir aliceDir = (Entry.Dir) fx.entry(s.tree(), alice);
        assertEquals(List.of("stack", "wt"), fx.dir(aliceDir.tree()).entries().stream().map(Entry::name).toList());
        long mtime = Files.getLastModifiedTime(tmp.resolve("home/alice")).to(TimeUnit.NANOSECONDS);
        assertEquals(mtime, aliceDir.mtimeNanos());
        assertEquals(Files.size(tmp.resolve("home/alice")), aliceDir.size());
        Entry.File tool = (Entry.File) fx.entry(s.tree(), alice + "/stack/bin/tool");
        assertArrayEquals("t".getBytes(), stable.read(tool.content()), "stable content is served in place");

        assertEquals(List.of(Snapshot.RootKind.STABLE, Snapshot.RootKind.LIVE),
                s.roots().stream().map(Snapshot.Root::kind).toList());
        assertEquals(stack.toString(), s.roots().get(0).path());
        assertEquals(((Entry.Dir) fx.entry(s.tree(), alice + "/stack")).tree(), s.roots().get(0).tree());
        assertEquals(1, s.roots().get(1).files());
    }

    @Test
    void symlinkedRootAppearsUnderTheGivenPathWithTheTargetsContent() throws IOException {
        Trees.file(tmp, "real/stack/lib.py", "lib");
        Path link = Files.createSymbolicLink(tmp.resolve("current"), tmp.resolve("real/stack"));
        Snapshot s = publisher(link).publish("default");
        Entry e = fx.entry(s.tree(), link.toString().substring(1) + "/lib.py");
        assertTrue(e instanceof Entry.File);
        assertTrue(stable.contains(((Entry.File) e).content()), "stable chunk located in the real file");
    }

    @Test
    void twoPublishesInTheSameInstantGetDifferentIdsAndTheViewMoves() throws IOException {
        Path root = Trees.file(tmp, "r/f", "f").getParent();
        Publisher p = publisher(root);
        Snapshot a = p.publish("default");
        Snapshot b = p.publish("default");
        // The root trees, not the top ones: the top tree holds the mtimes of /tmp and its parents.
        assertEquals(a.roots().get(0).tree(), b.roots().get(0).tree());
        assertEquals(a.createdAt(), b.createdAt());
        assertNotEquals(a.id(), b.id());
        assertEquals(java.util.Map.of("STACK", "test"), b.environment(), "every snapshot records the environment");
        assertEquals(b, snapshots.view("default").orElseThrow());
        assertTrue(Files.exists(tmp.resolve("state/snapshots/" + a.id() + ".json")));
    }

    @Test
    void badOrReservedViewNamesAreRefused() throws IOException {
        Path root = Trees.file(tmp, "r/f", "f").getParent();
        Publisher p = publisher(root);
        assertTrue(assertThrows(ServerException.class, () -> p.publish("latest")).getMessage().contains("reserved"));
        assertTrue(assertThrows(ServerException.class, () -> p.publish("a/b")).getMessage().contains("not valid"));
    }

    @Test
    void vanishedRootFailsThePublishWithAClearMessage() throws IOException {
        Path root = Trees.file(tmp, "r/f", "f").getParent();
        Publisher p = publisher(root);
        Files.delete(root.resolve("f"));
        Files.delete(root);
        ServerException e = assertThrows(ServerException.class, () -> p.publish("default"));
        assertTrue(e.getMessage().startsWith("root " + root + " is gone"), e.getMessage());
    }

    /**
     * StableLocations keeps four places per chunk, newest first. A re-publish that finds a fifth
     * twin unchanged queues its place and refreshes it after the answer; once that has run, the
     * content is served from it even after the four recorded twins were all edited.
     */
    @Test
    void aFileWhoseRecordedTwinsWereAllEditedIsStillServedAfterTheRefresh() throws IOException {
        Path stack = tmp.resolve("stack");
        for (int i = 0; i < 5; i++) {
            Trees.file(tmp, "stack/f" + i + ".txt", "same bytes");
        }
        fx = new ScanFixture(tmp.resolve("state/objects"));
        snapshots = SnapshotStore.open(tmp.resolve("state/snapshots"), tmp.resolve("state/views"));
        java.util.List<Runnable> afterAnswer = new java.util.ArrayList<>();
        // Stamped a minute ahead, so that files written just now are not racy and the index vouches for them.
        Publisher publisher = new Publisher(RootSet.of(List.of(stack)), fx.scanner, fx.store, stable, snapshots,
                ScanFixture.CHUNK, Clock.systemUTC(), new Random(1), java.util.Map.of(), null,
                () -> TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() + 60_000), afterAnswer::add);
        Snapshot first = publisher.publish("default");
        Entry.File twin = (Entry.File) fx.entry(first.tree(), stack.toString().substring(1) + "/f0.txt");
        publisher.publish("default"); // every file vouched for: places queued
        assertTrue(!afterAnswer.isEmpty(), "work left for after the answer");
        afterAnswer.forEach(Runnable::run);
        afterAnswer.clear();

        StableLocations.Location[] recorded = stable.places(twin.content());
        assertEquals(4, recorded.length);
        for (StableLocations.Location place : recorded) {
            Files.writeString(place.file(), "edited");
        }
        publisher.publish("default");
        afterAnswer.forEach(Runnable::run);
        assertArrayEquals("same bytes".getBytes(), stable.read(twin.content()));
    }

    /**
     * The walk records 20 small files as regular; before they are read each is replaced by a
     * fifo (mkfifo, then mv over it), while two big files keep the hash threads busy. Opening a
     * fifo without O_NONBLOCK blocks until a writer comes: the publish would never end.
     */
    @Test
    void filesSwappedForFifosAfterTheWalkAreLeftOutAndThePublishEnds() throws Exception {
        Path stack = tmp.resolve("stack");
        Trees.file(stack, "big/a.so", Trees.randomBytes(4 << 20, 1));
        Trees.file(stack, "big/b.so", Trees.randomBytes(4 << 20, 2));
        for (int i = 0; i < 20; i++) {
            Trees.file(stack, "small/f" + i + ".py", "x = " + i + "\n");
        }
        fx = new ScanFixture(tmp.resolve("state/objects"));
        snapshots = SnapshotStore.open(tmp.resolve("state/snapshots"), tmp.resolve("state/views"));
        HeldTasks hashPool = new HeldTasks(Executors.newFixedThreadPool(2));
        TreeScanner scanner = new TreeScanner(new FileHasher(ScanFixture.CHUNK, FileHasher.ReadListener.NONE),
                fx.store, fx.pool, hashPool, Set.of(), Excludes.NONE);
        Publisher publisher = new Publisher(RootSet.of(List.of(stack)), scanner, fx.store, stable, snapshots,
                ScanFixture.CHUNK, Clock.systemUTC(), new Random(1), java.util.Map.of());
        PublishProgress progress = new PublishProgress();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Snapshot> publish = caller.submit(() -> publisher.publish("default", progress));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!progress.walked() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(progress.walked(), "the walk finished");
            Trees.bash(stack.resolve("small"), "for i in $(seq 0 19); do mkfifo .f$i && mv .f$i f$i.py; done");
            hashPool.release();

            Snapshot s = publish.get(30, TimeUnit.SECONDS);

            String root = stack.toString().substring(1);
            assertEquals(List.of(), fx.dir(((Entry.Dir) fx.entry(s.tree(), root + "/small")).tree()).entries());
            assertEquals(List.of("a.so", "b.so"), fx.dir(((Entry.Dir) fx.entry(s.tree(), root + "/big")).tree())
                    .entries().stream().map(Entry::name).toList());
            List<String> leftOut = progress.snapshot().leftOut();
            assertEquals(20, leftOut.size(), leftOut.toString());
            for (String warning : leftOut) {
                assertTrue(warning.matches(".*/small/f\\d+\\.py: it is no longer a regular file but a fifo"), warning);
            }
        } finally {
            caller.shutdownNow();
            hashPool.pool.shutdownNow();
        }
    }

    /**
     * A chain of directories whose paths pass PATH_MAX (4,096 bytes with the NUL), made with
     * mkdir relative to an open directory: no system call takes the deepest paths, so the walk
     * cannot reach them. The publish keeps what it can reach and names the cut-off point once.
     */
    @Test
    void aChainOfDirectoriesPastPathMaxIsCutOffWithOneWarning() throws IOException {
        Path stack = tmp.resolve("stack");
        Trees.file(stack, "top.txt", "reached");
        String name = "d".repeat(100);
        int levels = 45;
        Trees.bash(stack, "python3 -c \"import os\n"
                + "fd = os.open('.', os.O_RDONLY)\n"
                + "for _ in range(" + levels + "):\n"
                + "    os.mkdir('" + name + "', dir_fd=fd)\n"
                + "    fd = os.open('" + name + "', os.O_RDONLY, dir_fd=fd)\n"
                + "os.close(os.open('leaf.txt', os.O_CREAT | os.O_WRONLY, dir_fd=fd))\"");
        try {
            Path cut = stack.toRealPath();
            int reachable = 0;
            while ((cut + "/" + name).getBytes(StandardCharsets.UTF_8).length < 4096) {
                cut = cut.resolve(name);
                reachable++;
            }
            PublishProgress progress = new PublishProgress();

            Snapshot s = publisher(stack).publish("default", progress);

            String shown = PathBytes.shortened(cut.resolve(name));
            assertEquals(List.of(shown + ": its path is longer than the 4095 bytes Linux allows"),
                    progress.snapshot().leftOut());
            assertTrue(shown.length() < 200 && shown.endsWith("d (" + (cut + "/" + name).length() + " bytes)"), shown);
            Entry.Dir dir = (Entry.Dir) fx.entry(s.tree(), stack.toString().substring(1));
            assertTrue(fx.dir(dir.tree()).entries().stream().anyMatch(e -> e.name().equals("top.txt")));
            int published = 0;
            for (Entry e = fx.entry(dir.tree(), name); e != null; published++) {
                List<Entry> below = fx.dir(((Entry.Dir) e).tree()).entries();
                e = below.isEmpty() ? null : below.get(0);
            }
            assertEquals(reachable, published, "every directory that can be reached, down to the cut-off point");
            assertTrue(reachable < levels);
        } finally {
            // JUnit's clean-up walks by whole paths, which fail past PATH_MAX; rm works relative to each directory.
            Trees.bash(stack, "rm -rf " + name);
        }
        assertFalse(Files.exists(stack.resolve(name)));
    }

    /** Holds the tasks it is given until released, then runs them and every later one on its pool. */
    private static final class HeldTasks implements Executor {
        final ExecutorService pool;
        private final List<Runnable> held = new java.util.ArrayList<>();
        private boolean released;

        HeldTasks(ExecutorService pool) {
            this.pool = pool;
        }

        @Override
        public synchronized void execute(Runnable task) {
            if (released) {
                pool.execute(task);
            } else {
                held.add(task);
            }
        }

        synchronized void release() {
            released = true;
            held.forEach(pool::execute);
            held.clear();
        }
    }
}
