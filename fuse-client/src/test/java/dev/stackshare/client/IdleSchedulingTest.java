package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdleSchedulingTest {
    @Test
    void threadsRunTheirTasksUnderSchedIdleAsTheKernelSeesThem() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(IdleScheduling.threads("test-idle"));
        try {
            CompletableFuture<int[]> seen = CompletableFuture.supplyAsync(() -> new int[] {
                    IdleScheduling.currentPolicy(), schedPolicyFromProc()}, pool);
            int[] policy = seen.get(10, TimeUnit.SECONDS);
            assertEquals(IdleScheduling.SCHED_IDLE, policy[0], "sched_getscheduler");
            assertEquals(IdleScheduling.SCHED_IDLE, policy[1], "/proc/thread-self/sched");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void otherThreadsKeepTheDefaultPolicy() {
        assertEquals(0, IdleScheduling.currentPolicy());
    }

    @Test
    void namesItsThreadsAndMakesThemDaemons() {
        Thread t = IdleScheduling.threads("stackshare-cache-writer").newThread(() -> { });
        assertEquals("stackshare-cache-writer-1", t.getName());
        assertTrue(t.isDaemon());
    }

    /** The policy line of {@code /proc/thread-self/sched}, read without our own native call. */
    private static int schedPolicyFromProc() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/sched"))) {
                if (line.startsWith("policy")) {
                    return Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return -1;
    }
}
