package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read that waits on the network, and the job that made it gets a signal: the kernel sends an
 * INTERRUPT, the session interrupts the worker that waits, and the worker is free again for the
 * next request. The content of one file never arrives here: its source blocks until interrupted,
 * as a fetch from a server that stopped answering does.
 *
 * <p>The kernel interrupts only the reads a process waits on itself: a page fault of a mapped
 * file, a read with read-ahead off, every read without FUSE_ASYNC_READ. With FUSE_ASYNC_READ
 * (negotiated by default) read-ahead goes as background requests that no signal interrupts; the
 * fetch deadline bounds those. So this test masks FUSE_ASYNC_READ, to make cat's read one the
 * kernel interrupts.
 */
class InterruptedReadIT {
    @TempDir
    Path tmp;

    /** Serves what {@link TestSnapshot} holds, except one object, which it waits for until interrupted. */
    private static final class StalledObject implements ObjectSource {
        private final ObjectSource objects;
        private final Digest stalled;
        final CountDownLatch waiting = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);

        StalledObject(ObjectSource objects, Digest stalled) {
            this.objects = objects;
            this.stalled = stalled;
        }

        @Override
        public byte[] get(Digest digest) throws IOException {
            if (!digest.equals(stalled)) {
                return objects.get(digest);
            }
            waiting.countDown();
            try {
                new CountDownLatch(1).await();
                throw new AssertionError("unreachable");
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw new InterruptedIOException("the fetch of " + digest.shortHex() + " was interrupted");
            }
        }
    }

    @Test
    void aSignalledReaderFreesTheWorkerThatWaitsForItsData() throws Exception {
        TestSnapshot objects = new TestSnapshot();
        Entry.File slow = objects.file("slow.bin", 0644, TestSnapshot.bytes(1000, 3));
        Entry.File quick = objects.file("quick.txt", 0644, "here\n".getBytes());
        Snapshot snapshot = objects.snapshot("0123456789abcdef", objects.dir("d", slow, quick));
        StalledObject source = new StalledObject(objects, slow.content());
        Counters counters = new Counters();
        Path mountpoint = Files.createDirectory(tmp.resolve("mnt"));
        System.setProperty(KernelSessionMount.MASK_PROPERTY, "ASYNC_READ");
        try (MountedSnapshot mount = Mounter.start(SnapshotTree.build(snapshot, objects), source, mountpoint, counters)) {
            Path file = mount.mountpoint().resolve("d/slow.bin");
            Process reader = new ProcessBuilder("cat", file.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(source.waiting.await(10, TimeUnit.SECONDS), "the read reached the source");
            long signalled = System.nanoTime();
            reader.destroy(); // SIGTERM
            assertTrue(source.interrupted.await(10, TimeUnit.SECONDS), "the worker waiting for the data was interrupted");
            assertTrue(reader.waitFor(10, TimeUnit.SECONDS), "the signalled reader ended");
            double seconds = (System.nanoTime() - signalled) / 1e9;
            assertEquals("here\n", Files.readString(mount.mountpoint().resolve("d/quick.txt")), "the mount serves on");
            long interrupts = mount.stats().fuseOperations().get("interrupt");
            assertTrue(interrupts >= 1, "the kernel sent an INTERRUPT: " + mount.stats().fuseOperations());
            System.out.printf("InterruptedReadIT: a reader waiting on a stalled fetch, signalled: its worker freed in %.3f s,"
                    + " %d INTERRUPT%n", seconds, interrupts);
        } finally {
            System.clearProperty(KernelSessionMount.MASK_PROPERTY);
        }
    }
}
