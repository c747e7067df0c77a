package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stackshare.client.MountOptions;
import dev.stackshare.client.MountedSnapshot;
import dev.stackshare.client.Mounter;
import dev.stackshare.protocol.Api;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's cache disk is full: a 3 MiB tmpfs (mounted by the test, so it needs root, as CI
 * has) under a 7 MiB tree, with a 2 MiB cache bound. Reads must stay right while inserts fail
 * (they fall back to memory and the network), eviction must bring the cache back under its
 * bound, and no file in it may ever be anything but a whole object under its own digest.
 */
class FullCacheDiskIT {
    static final String TMPFS_SIZE = "3m";
    static final long CACHE_BOUND = 2L << 20;

    @TempDir
    Path base;
    Path stack;
    Path cacheDisk;
    StackshareServer server;
    String token;

    @BeforeEach
    void setUp() throws Exception {
        Sh.Result id = Sh.run(List.of("id", "-u"));
        assumeTrue("0".equals(id.out().strip()),
                "FullCacheDiskIT mounts a small tmpfs as the cache disk, which needs root (CI runs as root); skipped");
        stack = base.resolve("stack");
        FaultTree.build(stack, 13, 8, 10, 1_300_000, 2_700_000, 700_000);
        server = StackshareServer.start(new ServerConfig(List.of(stack), new InetSocketAddress("127.0.0.1", 0),
                base.resolve("state"), Api.DEFAULT_VIEW));
        token = Files.readString(server.tokenFile()).strip();
        cacheDisk = Files.createDirectory(base.resolve("cache-disk"));
        Sh.Result m = Sh.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE + ",mode=0700", "tmpfs",
                cacheDisk.toString()));
        assertEquals(0, m.exit(), m.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (cacheDisk != null) {
            Sh.run(List.of("umount", "-l", cacheDisk.toString()));
        }
        if (server != null) {
            server.close();
        }
    }

    private MountedSnapshot mount() throws IOException {
        Path mnt = Files.createTempDirectory(base, "mnt");
        return Mounter.mount(new MountOptions(server.url(), token, server.firstSnapshot().id(), cacheDisk, mnt, 4L << 20)
                .withCacheSize(CACHE_BOUND).withTrace(false, false));
    }

    private long cachedBytes() throws IOException {
        return FaultTree.cachedBytes(cacheDisk);
    }

    @Test
    void readsStayRightOnAFullCacheDiskAndEvictionMakesRoom() throws Exception {
        long treeBytes = 0;
        for (Path f : FaultTree.files(stack)) {
            treeBytes += Files.size(stack.resolve(f));
        }
        int passes = 0;
        int files = 0;
        long fullAt;
        long afterEviction;
        try (MountedSnapshot m = mount()) {
            Path copy = m.mountpoint().resolve(stack.toString().substring(1));
            // First pass: the disk fills (ENOSPC) long before the tree is read; before the cache's
            // first walk (30 s after the mount) nothing is evicted either.
            FaultTree.Compared first = FaultTree.compare(stack, copy, 4);
            assertEquals(List.of(), first.wrong(), "reads stay right while the disk is full");
            passes++;
            files += first.files();
            fullAt = cachedBytes();
            Sh.Result df = Sh.run(List.of("df", "-B1", "--output=avail", cacheDisk.toString()));
            // The mount's writer may be renaming a temporary file into place meanwhile: whole objects
            // only under digest names now, and no temporary file left once the mounts are down (below).
            assertEquals(List.of(), FaultTree.wrongWhileWriting(cacheDisk), "no partial file under a digest name");
            // The cache's walk evicts down to 90 % of the bound; wait for it.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (cachedBytes() > CACHE_BOUND && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            afterEviction = cachedBytes();
            assertTrue(afterEviction <= CACHE_BOUND, "eviction brought the cache under its bound: " + afterEviction);
            // Second pass, with room again: inserts and evictions go on while the job reads.
            FaultTree.Compared second = FaultTree.compare(stack, copy, 4);
            assertEquals(List.of(), second.wrong());
            passes++;
            files += second.files();
            System.out.printf("FullCacheDiskIT: tree %d bytes, cache disk %s, bound %d: after the first pass %d bytes"
                            + " cached (free on the disk: %s), after eviction %d; %d passes, %d files read right%n",
                    treeBytes, TMPFS_SIZE, CACHE_BOUND, fullAt, df.out().replace("Avail", "").strip() + " bytes",
                    afterEviction,
                    passes, files);
        }
        // A second mount on the same, still crowded disk: mounts, reads right.
        try (MountedSnapshot m = mount()) {
            FaultTree.Compared third = FaultTree.compare(stack, m.mountpoint().resolve(stack.toString().substring(1)), 4);
            assertEquals(List.of(), third.wrong());
            files += third.files();
        }
        assertEquals(List.of(), FaultTree.partialOrWrong(cacheDisk), "the cache holds whole objects only");
        System.out.printf("FullCacheDiskIT: 3 passes over 2 mounts, %d files read right, %d objects in the cache,"
                + " all whole%n", files, FaultTree.cachedObjects(cacheDisk).size());
    }
}
