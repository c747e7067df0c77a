package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Snapshot;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clients on one node, one cache directory: two mount processes (through the launcher) read
 * at the same time, first the same snapshot, then two different ones. Both must read right, and
 * the cache must hold each object once, whole, under its digest.
 */
class SharedCacheIT {
    @TempDir
    Path base;
    StackshareServer server;
    final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Path m : mounts) {
            CliIT.ss("unmount", m.toString());
        }
        if (server != null) {
            server.close();
        }
    }

    private Path mount(String snapshot, Path cache) throws Exception {
        Path mnt = Files.createTempDirectory(base, "mnt");
        Sh.Result r = CliIT.ss("mount", "--server", server.url().toString(), "--token-file", server.tokenFile().toString(),
                "--snapshot", snapshot, "--cache-dir", cache.toString(), "--no-trace-prefetch", mnt.toString());
        assertEquals(0, r.exit(), r.toString());
        mounts.add(mnt);
        return mnt;
    }

    private void unmount(Path mnt) throws Exception {
        assertEquals(0, CliIT.ss("unmount", mnt.toString()).exit());
        mounts.remove(mnt);
    }

    /** Reads two mounts at once, each against its own original; returns the files compared. */
    private static int readBothAtOnce(Path originalA, Path copyA, Path originalB, Path copyB) throws Exception {
        CompletableFuture<FaultTree.Compared> a = CompletableFuture.supplyAsync(() -> compare(originalA, copyA));
        CompletableFuture<FaultTree.Compared> b = CompletableFuture.supplyAsync(() -> compare(originalB, copyB));
        assertEquals(List.of(), a.get().wrong(), "the first client reads right");
        assertEquals(List.of(), b.get().wrong(), "the second client reads right");
        return a.get().files() + b.get().files();
    }

    private static FaultTree.Compared compare(Path original, Path copy) {
        try {
            return FaultTree.compare(original, copy, 4);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoClientsShareOneCacheWithTheSameAndWithDifferentSnapshots() throws Exception {
        // A git working tree, so its content is frozen at publish and the first snapshot stays
        // readable after the edits that make the second.
        Path stack = base.resolve("stack");
        FaultTree.build(stack, 17, 6, 10, 1_300_000, 2_700_000);
        Trees.git(stack, "init", "-q", "-b", "main");
        server = StackshareServer.start(new ServerConfig(List.of(stack), new java.net.InetSocketAddress("127.0.0.1", 0),
                base.resolve("state"), Api.DEFAULT_VIEW));
        Snapshot first = server.firstSnapshot();
        Path asFirst = base.resolve("first");
        Sh.Result cp = Sh.run(List.of("cp", "-a", stack.toString(), asFirst.toString()));
        assertEquals(0, cp.exit(), cp.toString());
        // The second snapshot: half of pkg0 rewritten, a new package, the second big file's head changed.
        FaultTree.build(stack.resolve("pkg0-new"), 18, 1, 5);
        for (int f = 0; f < 5; f++) {
            Files.move(stack.resolve("pkg0-new/pkg0/mod" + f + ".py"), stack.resolve("pkg0/mod" + f + ".py"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Sh.run(List.of("rm", "-r", stack.resolve("pkg0-new").toString()));
        FaultTree.build(stack.resolve("pkg-added"), 19, 2, 4);
        try (var big = new java.io.RandomAccessFile(stack.resolve("data/big1.bin").toFile(), "rw")) {
            big.write(new byte[1000]);
        }
        Snapshot second = server.publish(Api.DEFAULT_VIEW);
        assertNotEquals(first.id(), second.id());

        Path cache = Files.createTempDirectory(base, "shared-cache");
        String inFirst = stack.toString().substring(1);
        int files = 0;

        // Same snapshot, two processes, one cache, reading at once.
        Path a = mount(first.id(), cache);
        Path b = mount(first.id(), cache);
        files += readBothAtOnce(asFirst, a.resolve(inFirst), asFirst, b.resolve(inFirst));
        unmount(b);

        // Different snapshots: the first client goes on with the first, a new one reads the second.
        Path c = mount(second.id(), cache);
        files += readBothAtOnce(asFirst, a.resolve(inFirst), stack, c.resolve(inFirst));
        unmount(a);
        unmount(c);

        assertEquals(List.of(), FaultTree.partialOrWrong(cache), "only whole objects under their digests");
        int chunkSize = first.chunkSize();
        Set<String> content = new TreeSet<>(FaultTree.contentDigests(asFirst, chunkSize));
        content.addAll(FaultTree.contentDigests(stack, chunkSize));
        Set<String> cached = new TreeSet<>();
        List<Path> objects = FaultTree.cachedObjects(cache);
        for (Path p : objects) {
            cached.add(p.getFileName().toString());
        }
        assertEquals(objects.size(), cached.size(), "each object once");
        Set<String> lacking = new TreeSet<>(content);
        lacking.removeAll(cached);
        assertEquals(Set.of(), lacking, "every content object of both snapshots is cached");
        int metadata = cached.size() - content.size();
        assertTrue(metadata > 0 && metadata < 40, "the rest are directory and chunk-list objects: " + metadata);
        long served = server.stats().objectsServed();
        System.out.printf("SharedCacheIT: 2 cases (same snapshot, different snapshots), 2 clients at once each; %d files"
                        + " read right; cache holds %d content + %d metadata objects, each once, all whole;"
                        + " server served %d objects for %d distinct content objects%n",
                files, content.size(), metadata, served, content.size());
    }
}
