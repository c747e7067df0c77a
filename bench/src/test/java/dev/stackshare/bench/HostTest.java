package dev.stackshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class HostTest {
    @Test
    void cpuSecondsCountsWhatAProcessSpends() throws Exception {
        long self = ProcessHandle.current().pid();
        double before = Host.cpuSeconds(self);
        // Burn 0.3 s of this thread's CPU, as the JVM counts it (hashing, so the JIT cannot drop the loop).
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[1 << 16];
        long until = threads.getCurrentThreadCpuTime() + 300_000_000L;
        while (threads.getCurrentThreadCpuTime() < until) {
            sha.update(block);
        }
        block[0] = sha.digest()[0];
        double spent = Host.cpuSeconds(self) - before;
        // /proc counts in 10 ms ticks; the JVM's other threads only add.
        assertTrue(spent >= 0.28 && spent < 30, "CPU seconds spent: " + spent);
    }

    @Test
    void aProcessThatIsGoneHasSpentNothing() {
        assertEquals(0, Host.cpuSeconds(Long.MAX_VALUE));
    }
}
