package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.client.MountReport;
import dev.stackshare.client.MountReports;
import dev.stackshare.protocol.Api;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's requests, by operation, that a real Python job makes of a mount: the machine's
 * own standard library served and mounted, and the same imports run twice. The second run finds
 * every name, attribute, page and listing in the kernel's caches, so what still reaches the
 * mount is what the kernel cannot keep: an IOCTL for each file Python opens (its isatty()).
 */
class KernelRequestsIT {
    private static final String JOB = "import json, decimal, email.parser, xml.etree.ElementTree, asyncio, unittest, argparse,"
            + " logging, csv, http.client; print('JOB-OK')";
    /** What a warm job may still ask beside IOCTL: nothing a cache could answer. */
    private static final long WARM_BUDGET = 50;

    @TempDir
    Path base;

    @Test
    void aWarmJobAsksTheMountForLittleButItsIsattyCalls() throws Exception {
        String python = "/usr/bin/python3";
        Path stdlib = Path.of(Sh.run(List.of(python, "-S", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"))
                .out().strip());
        Path cache = base.resolve("cache");
        Path mnt = Files.createDirectories(base.resolve("mnt"));
        try (StackshareServer server = StackshareServer.start(new ServerConfig(List.of(stdlib),
                new InetSocketAddress("127.0.0.1", 0), base.resolve("state"), Api.DEFAULT_VIEW))) {
            Sh.Result mount = CliIT.ss("mount", "--server", server.url().toString(), "--token-file",
                    server.tokenFile().toString(), "--cache-dir", cache.toString(), "--no-trace-prefetch", mnt.toString());
            assertEquals(0, mount.exit(), mount.toString());
            try {
                Map<String, Long> start = operations(cache, mnt, Instant.EPOCH);
                job(python, mnt);
                Instant afterFirst = Instant.now();
                Map<String, Long> first = operations(cache, mnt, afterFirst);
                job(python, mnt);
                Map<String, Long> second = operations(cache, mnt, Instant.now());
                Map<String, Long> cold = minus(first, start);
                Map<String, Long> warm = minus(second, first);
                long warmBesidesIoctl = warm.entrySet().stream().filter(e -> !e.getKey().equals("ioctl"))
                        .mapToLong(Map.Entry::getValue).sum();
                System.out.println("KernelRequestsIT: first job " + cold + "; second job " + warm);
                assertTrue(warm.getOrDefault("ioctl", 0L) > 0, "Python asks isatty() of what it opens: " + warm);
                assertTrue(warmBesidesIoctl <= WARM_BUDGET, "the warm job made " + warmBesidesIoctl
                        + " requests besides IOCTL: " + warm);
                assertEquals(0L, warm.getOrDefault("open", 0L) + warm.getOrDefault("opendir", 0L)
                        + warm.getOrDefault("release", 0L), "no open or release reaches the mount: " + warm);
            } finally {
                CliIT.ss("unmount", mnt.toString());
            }
        }
    }

    private static void job(String python, Path mnt) throws Exception {
        Path usr = mnt.resolve("usr");
        Sh.Result r = Sh.run(List.of(python, "-S", "-c", JOB), Map.of("PYTHONHOME", usr.toString(),
                "PYTHONDONTWRITEBYTECODE", "1"), 120);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("JOB-OK"), r.toString());
    }

    /** The mount's counts by operation from its report, once the report was written after {@code after}. */
    private static Map<String, Long> operations(Path cache, Path mnt, Instant after) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (MountReport report : MountReports.of(cache).readAll()) {
                if (report.mountpoint().equals(mnt.toString()) && report.updatedAt().isAfter(after)) {
                    return new TreeMap<>(report.stats().fuseOperations());
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no mount report of " + mnt + " written after " + after);
    }

    private static Map<String, Long> minus(Map<String, Long> later, Map<String, Long> earlier) {
        Map<String, Long> d = new TreeMap<>();
        later.forEach((k, v) -> {
            long n = v - earlier.getOrDefault(k, 0L);
            if (n != 0) {
                d.put(k, n);
            }
        });
        return d;
    }
}
