package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mount's heap bound holds for a snapshot of 1,000,000 files: its metadata is loaded the way
 * a mount loads it in a JVM started with the mount process's heap flags, which must not run out,
 * and what the loaded tree keeps must leave room for the memory cache.
 */
class MillionFileHeapIT {
    /** The child JVM's bound, as {@code stackshare mount} sets it for its background process. */
    static final String HEAP = "-Xmx256m";
    /** 256 MB less the memory cache such a tree leaves room for (64 MB, MemoryBudget) and room for buffers and garbage. */
    static final long TREE_BUDGET_BYTES = 160L << 20;
    @TempDir
    Path tmp;

    @Test
    void aWalkOfAMillionFilesThroughTheMountStaysIn256MbOfHeap() throws IOException, InterruptedException {
        java.nio.file.Path mnt = java.nio.file.Files.createDirectory(tmp.resolve("mnt"));
        Process p = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"), HEAP,
                "-XX:+UseSerialGC", "-Dsun.jnu.encoding=UTF-8", "-cp", System.getProperty("java.class.path"),
                MillionFiles.class.getName(), "100", "1000", "10", tmp.resolve("cache").toString(), mnt.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the walk took more than ten minutes");
        assertEquals(0, p.exitValue(), out);
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("walked 1000000 heap-bytes "), out);
        long heap = Long.parseLong(last.split(" ")[3]);
        System.out.println("a walk of all 1,000,000 files of a mount keeps " + (heap >> 20) + " MB of heap; " + last);
        // The node table grows with directories (100,100 here), never with files.
        assertTrue(heap < TREE_BUDGET_BYTES, "after the walk the mount keeps " + (heap >> 20) + " MB");
    }

    @Test
    void aMillionFileSnapshotLoadsIn256MbOfHeap() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"), HEAP,
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), MillionFiles.class.getName(),
                "100", "1000", "10", tmp.resolve("cache").toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the load took more than five minutes");
        assertEquals(0, p.exitValue(), out);
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("files 1000000 heap-bytes "), out);
        String[] fields = last.split(" ");
        long heap = Long.parseLong(fields[3]);
        long estimated = Long.parseLong(fields[5]);
        System.out.println("a 1,000,000-file snapshot keeps " + (heap >> 20) + " MB of heap; its tree estimates "
                + (estimated >> 20) + " MB");
        // The estimate sizes the memory cache (MemoryBudget): it must not be far off what is kept.
        assertTrue(estimated > heap * 0.6 && estimated < heap * 1.2, "the tree estimates " + (estimated >> 20)
                + " MB of heap where " + (heap >> 20) + " MB are used");
        assertTrue(heap < TREE_BUDGET_BYTES, "the tree of 1,000,000 files keeps " + (heap >> 20)
                + " MB, more than the " + (TREE_BUDGET_BYTES >> 20) + " MB left beside the memory cache");
    }
}
