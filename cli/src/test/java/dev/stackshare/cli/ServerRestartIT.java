package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The developer's server dies in the middle of a job (SIGKILL) and is started again on the same
 * state dir and port. With real processes: serve and two mounts through the launcher, read by
 * this test as a job would. What was cached keeps being served; a read of anything else waits
 * and resumes when the server is back; past the fetch deadline it fails with EIO and one log
 * line naming the file and the object; no read ever returns wrong bytes.
 */
class ServerRestartIT {
    @TempDir
    Path base;
    Path stack;
    Path state;
    Path serveLog;
    ServeProcess serve;
    final List<Path> mounts = new java.util.ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Path m : mounts) {
            CliIT.ss("unmount", m.toString());
        }
        if (serve != null) {
            serve.close();
        }
    }

    /** Mounts through the launcher; returns the mount's log file. */
    private Path mount(Path mnt, Path cache, String snapshot, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("mount", "--server", serve.url(), "--token-file",
                state.resolve("token").toString(), "--snapshot", snapshot, "--cache-dir", cache.toString(),
                "--no-trace-prefetch"));
        args.addAll(List.of(extra));
        args.add(mnt.toString());
        Sh.Result r = CliIT.ss(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        mounts.add(mnt);
        return Path.of(r.out().replaceAll("(?s).*, log (\\S+)\\).*", "$1"));
    }

    private Path inMount(Path mnt, String relative) {
        return mnt.resolve(stack.toString().substring(1)).resolve(relative);
    }

    private byte[] original(String relative) throws IOException {
        return Files.readAllBytes(stack.resolve(relative));
    }

    @Test
    void readsWaitForARestartedServerResumeAndFailWithEioPastTheDeadline() throws Exception {
        stack = base.resolve("stack");
        state = base.resolve("state");
        serveLog = base.resolve("serve.log");
        FaultTree.build(stack, 7, 4, 6, 2_700_000);
        serve = ServeProcess.start(stack, state, 0, serveLog);
        int port = serve.port();
        String snapshot = serve.firstSnapshot();
        Path patient = Files.createDirectory(base.resolve("mnt-patient"));
        Path patientCache = Files.createTempDirectory(base, "cache-patient");
        mount(patient, patientCache, snapshot); // the default deadline, 120 s
        Path hasty = Files.createDirectory(base.resolve("mnt-hasty"));
        Path hastyLog = mount(hasty, Files.createTempDirectory(base, "cache-hasty"), snapshot, "--fetch-deadline", "5s");

        // The job starts: one module of pkg0 (its directory's batch brings the other five) and the
        // first 100 KB of a big file (its first chunk).
        assertArrayEquals(original("pkg0/mod0.py"), Files.readAllBytes(inMount(patient, "pkg0/mod0.py")));
        assertArrayEquals(java.util.Arrays.copyOf(original("data/big0.bin"), 100_000),
                readRange(inMount(patient, "data/big0.bin"), 0, 100_000));
        awaitCached(patientCache, original("pkg0/mod5.py"));

        serve.kill();
        assertFalse(serve.accepts(), "the server is down");
        int cases = 0;

        // Cached data keeps being served, at once: the batch's siblings and the rest of the first chunk.
        long t0 = System.nanoTime();
        for (int f = 1; f < 6; f++) {
            assertArrayEquals(original("pkg0/mod" + f + ".py"), Files.readAllBytes(inMount(patient, "pkg0/mod" + f + ".py")));
            cases++;
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(original("data/big0.bin"), 300_000, 400_000),
                readRange(inMount(patient, "data/big0.bin"), 300_000, 100_000));
        cases++;
        long cachedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(cachedMillis < 3_000, "cached reads do not wait for the server: " + cachedMillis + " ms");

        // Reads of what no cache holds wait...
        CompletableFuture<byte[]> small = CompletableFuture.supplyAsync(() -> read(inMount(patient, "pkg1/mod3.py")));
        CompletableFuture<byte[]> chunk = CompletableFuture.supplyAsync(
                () -> readRange(inMount(patient, "data/big0.bin"), 1_800_000, 200_000));
        long down = System.nanoTime();
        Thread.sleep(4_000);
        assertFalse(small.isDone() || chunk.isDone(), "reads wait while the server is down");
        // ...and resume when it is back, same state dir and port.
        serve = ServeProcess.start(stack, state, port, serveLog);
        assertArrayEquals(original("pkg1/mod3.py"), small.get(60, TimeUnit.SECONDS));
        assertArrayEquals(java.util.Arrays.copyOfRange(original("data/big0.bin"), 1_800_000, 2_000_000),
                chunk.get(60, TimeUnit.SECONDS));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down);
        cases += 2;

        // Past the deadline: EIO, and one log line that names the file and the object.
        serve.kill();
        String lost = "pkg2/mod4.py";
        long t1 = System.nanoTime();
        IOException eio = assertThrows(IOException.class, () -> Files.readAllBytes(inMount(hasty, lost)));
        long failedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        assertTrue(eio.getMessage().contains("Input/output error"), eio.toString());
        assertTrue(failedMillis >= 4_500 && failedMillis < 30_000, "EIO after the 5 s deadline, took " + failedMillis + " ms");
        String digest = FaultTree.sha256(original(lost));
        List<String> named = Files.readAllLines(hastyLog).stream()
                .filter(l -> l.contains(lost) && l.contains(digest)).toList();
        assertEquals(1, named.size(), "one log line names " + lost + " and " + digest + ":\n" + Files.readString(hastyLog));
        assertTrue(named.get(0).contains("fetch deadline"), named.get(0));
        cases++;

        // A failure is not remembered: with the server back, the same read succeeds.
        serve = ServeProcess.start(stack, state, port, serveLog);
        assertArrayEquals(original(lost), Files.readAllBytes(inMount(hasty, lost)));
        cases++;
        System.out.printf("ServerRestartIT: %d cases (6 cached reads while down took %d ms; 2 reads waited %d ms"
                        + " for the restart and got right bytes; 1 read failed with EIO after %d ms of a 5 s deadline,"
                        + " log: %s; the same read after the restart right)%n",
                cases, cachedMillis, waitedMillis, failedMillis, named.get(0).strip());
    }

    @Test
    void aFrozenServerCostsAReadItsDeadlineNotForever() throws Exception {
        stack = base.resolve("stack");
        state = base.resolve("state");
        serveLog = base.resolve("serve.log");
        FaultTree.build(stack, 9, 2, 4);
        serve = ServeProcess.start(stack, state, 0, serveLog);
        Path mnt = Files.createDirectory(base.resolve("mnt"));
        Path cache = Files.createTempDirectory(base, "cache");
        Path log = mount(mnt, cache, serve.firstSnapshot(), "--fetch-deadline", "4s");
        assertArrayEquals(original("pkg0/mod0.py"), Files.readAllBytes(inMount(mnt, "pkg0/mod0.py")));
        awaitCached(cache, original("pkg0/mod3.py"));

        // SIGSTOP: connections are still accepted, nothing answers. The try's timeout is the deadline.
        serve.freeze();
        String hung = "pkg1/mod2.py";
        long t0 = System.nanoTime();
        IOException eio = assertThrows(IOException.class, () -> Files.readAllBytes(inMount(mnt, hung)));
        long failedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(eio.getMessage().contains("Input/output error"), eio.toString());
        assertTrue(failedMillis >= 3_500 && failedMillis < 20_000, "EIO after the 4 s deadline, took " + failedMillis + " ms");
        String digest = FaultTree.sha256(original(hung));
        List<String> named = Files.readAllLines(log).stream().filter(l -> l.contains(hung) && l.contains(digest)).toList();
        assertEquals(1, named.size(), "one log line names " + hung + ":\n" + Files.readString(log));
        // Cached data is still served while it hangs.
        assertArrayEquals(original("pkg0/mod3.py"), Files.readAllBytes(inMount(mnt, "pkg0/mod3.py")));

        // At once, within the window in which a given-up object gets a single try: it answers now.
        serve.thaw();
        assertArrayEquals(original(hung), Files.readAllBytes(inMount(mnt, hung)), "right once it answers again");
        System.out.printf("ServerRestartIT frozen server: 3 cases (a read failed with EIO after %d ms of a 4 s deadline,"
                + " one log line; a cached read served meanwhile; the read right after SIGCONT)%n", failedMillis);
    }

    /** Waits until the disk cache holds an object (the directory batch runs in the background). */
    private static void awaitCached(Path cache, byte[] content) throws Exception {
        String hex = FaultTree.sha256(content);
        Path file = cache.resolve("objects").resolve(hex.substring(0, 2)).resolve(hex);
        for (int i = 0; i < 200 && !Files.exists(file); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(file), "the directory batch cached " + file);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] readRange(Path file, long offset, int length) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] buf = new byte[length];
            f.seek(offset);
            f.readFully(buf);
            return buf;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
