package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackshare.protocol.Digest;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TraceRecorderTest {
    private static Digest d(int i) {
        return Digest.of(new byte[] {(byte) i, (byte) (i >> 8)});
    }

    @Test
    void keepsFirstReadsInOrderWithoutRepeats() {
        TraceRecorder trace = new TraceRecorder();
        trace.read(d(3));
        trace.read(d(1));
        trace.read(d(3));
        trace.read(d(2));
        assertEquals(List.of(d(3), d(1), d(2)), trace.digests());
    }

    @Test
    void stopsAtItsLimit() {
        TraceRecorder trace = new TraceRecorder(2);
        for (int i = 0; i < 5; i++) {
            trace.read(d(i));
        }
        assertEquals(List.of(d(0), d(1)), trace.digests());
    }

    @Test
    void concurrentReadersRecordEachObjectOnce() throws InterruptedException {
        TraceRecorder trace = new TraceRecorder(500);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                for (int i = 0; i < 1000; i++) {
                    trace.read(d(i));
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        assertEquals(500, trace.digests().size());
        assertEquals(500, trace.digests().stream().distinct().count());
    }

    @Test
    void rejectsANonPositiveLimit() {
        assertThrows(IllegalArgumentException.class, () -> new TraceRecorder(0));
    }
}
