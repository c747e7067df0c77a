package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.bench.LoadBench;
import dev.stackshare.bench.StackTreeGenerator;
import dev.stackshare.protocol.Chunking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `stackshare bench load` as CI runs it: 200 clients cold-start a small generated snapshot at once
 * from a real origin (its own JVM, -Xmx512m) over loopback, every chunk checked against its
 * digest; once with the default in-flight bound, once with a low one that must refuse some
 * requests with 503 that the clients then wait out.
 */
class LoadIT {
    private static final int CLIENTS = 200;
    /** Bounds each run: the working set is the tree's first files, a multi-chunk library among them. */
    private static final int FILES = 80;
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path tmp;
    static Path tree;

    @BeforeAll
    static void generate() throws IOException {
        tree = tmp.resolve("stack");
        StackTreeGenerator.generate(tree, 300, 5);
        byte[] big = new byte[2 * Chunking.DEFAULT_CHUNK_SIZE + 12345];
        new Random(9).nextBytes(big);
        Files.write(tree.resolve("lib/libbig.so"), big);
    }

    private static List<LoadBench.Run> load(String name, String... extra) throws Exception {
        Path out = tmp.resolve(name);
        List<String> cmd = new ArrayList<>(List.of(CliIT.LAUNCHER.toString(), "bench", "load", "--tree", tree.toString(),
                "--clients", String.valueOf(CLIENTS), "--max-files", String.valueOf(FILES), "--time-limit", "90",
                "--work-dir", tmp.resolve(name + "-work").toString(), "--out", out.toString()));
        cmd.addAll(List.of(extra));
        Sh.Result r = Sh.run(cmd, Map.of(), 240);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.readString(out.resolve("load.md")).contains("| origin | 200/200 / 200 |"), r.out());
        List<LoadBench.Run> runs = LoadBench.read(out.resolve("load.json"));
        assertEquals(1, runs.size());
        return runs;
    }

    private static void everyClientReadEveryObjectExactly(LoadBench.Run run) {
        assertEquals(List.of(), run.failures());
        assertEquals(CLIENTS, run.finished());
        assertEquals(CLIENTS, run.exact(), "every chunk of every client hashed to its digest");
        assertEquals((long) CLIENTS * FILES, run.filesRead());
        assertTrue(run.chunksRead() >= (long) CLIENTS * (FILES + 2), "the library's three chunks are read: " + run.chunksRead());
        assertTrue(run.latencySamples() > 0 && run.p99Ms() >= run.p50Ms(), run.toString());
    }

    private static void originStayedWithinItsHeapAndAnsweredLookUps(LoadBench.Run run) {
        assertTrue(run.heapMaxBytes() > 400 * MIB && run.heapMaxBytes() <= 512 * MIB,
                "the origin ran with -Xmx512m: " + run.heapMaxBytes());
        assertTrue(run.heapPeakBytes() > 0 && run.heapPeakBytes() < run.heapMaxBytes(), run.toString());
        assertTrue(run.viewLookups() > 0, "view look-ups were answered during the load");
        assertEquals(0, run.viewLookupsFailed());
    }

    @Test
    void twoHundredClientsColdStartTheSameSnapshotAndEveryByteIsRight() throws Exception {
        LoadBench.Run run = load("default").get(0);
        everyClientReadEveryObjectExactly(run);
        originStayedWithinItsHeapAndAnsweredLookUps(run);
        assertEquals(run.refused503(), run.overloadRetries(), "every 503 was waited out and sent again");
    }

    @Test
    void aLowInFlightBoundRefusesSomeRequestsWith503AndTheClientsRetryPastThem() throws Exception {
        LoadBench.Run run = load("low-bound", "--max-in-flight", "8").get(0);
        assertTrue(run.refused503() > 0, "a bound of 8 under 200 clients refuses some requests: " + run);
        assertEquals(run.refused503(), run.overloadRetries(), "every 503 was waited out and sent again");
        everyClientReadEveryObjectExactly(run);
        originStayedWithinItsHeapAndAnsweredLookUps(run);
    }
}
