package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mounts a real FUSE filesystem from objects built here, served by our own kernel session, and
 * checks it with plain java.nio.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapshotFileSystemIT {
    private static final int CS = TestSnapshot.CHUNK_SIZE;
    private static final String NON_ASCII = "caf\u00e9-\u6f22\u5b57.txt";

    private final TestSnapshot objects = new TestSnapshot();
    private final Counters counters = new Counters();
    private final byte[] bigContent = TestSnapshot.bytes(5 * CS + 123, 9);
    private final byte[] exactContent = TestSnapshot.bytes(2 * CS, 4);
    MountedSnapshot mount;
    Path stack;

    @BeforeAll
    void mount(@TempDir Path tmp) throws IOException {
        Entry.Dir pkg = objects.dir("pkg",
                objects.file("__init__.py", 0644, new byte[0]),
                objects.file("mod.py", 0644, "print('hi')\n".getBytes()));
        Entry.Dir root = objects.dir("stack",
                objects.file("small.txt", 0644, "hello, world\n".getBytes()),
                objects.file("big.bin", 0644, bigContent),
                objects.file("exact.bin", 0600, exactContent),
                objects.file("run.sh", 0755, "#!/bin/sh\necho ok\n".getBytes()),
                objects.file(NON_ASCII, 0644, "unicode\n".getBytes()),
                // Named in the tree, but its content is in no source: reads must fail with EIO.
                new Entry.File("lost.txt", 0644, 5, TestSnapshot.MTIME, Digest.of("lost\n".getBytes())),
                new Entry.Symlink("link", TestSnapshot.MTIME, "small.txt"),
                new Entry.Symlink("abs", TestSnapshot.MTIME, "/home/a/stack/pkg"),
                new Entry.Symlink("dangling", TestSnapshot.MTIME, "no/such/target"),
                pkg);
        Snapshot snapshot = objects.snapshot("0123456789abcdef", objects.dir("home", objects.dir("a", root)));
        SnapshotTree tree = SnapshotTree.build(snapshot, objects);
        objects.gets.set(0);
        Path mountpoint = Files.createDirectory(tmp.resolve("mnt"));
        mount = Mounter.start(tree, new MemoryCache(objects, 1 << 20, counters), mountpoint, counters);
        stack = mount.mountpoint().resolve("home/a/stack");
    }

    @AfterAll
    void unmount() {
        if (mount != null) {
            mount.close();
            assertFalse(Mounts.isMounted(mount.mountpoint()));
        }
    }

    @Test
    void countsTheKernelsRequestsByOperation() throws IOException {
        Files.readString(stack.resolve("pkg/mod.py"));
        java.util.Map<String, Long> ops = mount.stats().fuseOperations();
        org.junit.jupiter.api.Assumptions.assumeTrue(ops.get("init") > 0, "served by libfuse, which counts what reaches it");
        assertEquals(1L, ops.get("init"), ops.toString());
        assertTrue(ops.get("lookup") > 0, ops.toString());
    }

    @Test
    void isMountedAsStackshare() throws IOException {
        FileStore store = Files.getFileStore(mount.mountpoint());
        assertEquals("fuse.stackshare", store.type());
        assertTrue(store.isReadOnly());
        assertTrue(Mounts.isMounted(mount.mountpoint()));
        assertFalse(Mounts.isStale(mount.mountpoint()));
    }

    @Test
    void listsDirectories() throws IOException {
        assertEquals(List.of("home"), list(mount.mountpoint()));
        assertEquals(List.of("abs", "big.bin", "dangling", "exact.bin", "link", "lost.txt", "pkg", "run.sh",
                "small.txt", NON_ASCII).stream().sorted().toList(), list(stack));
        assertEquals(List.of("__init__.py", "mod.py"), list(stack.resolve("pkg")));
    }

    @Test
    void readsSmallFiles() throws IOException {
        assertEquals("hello, world\n", Files.readString(stack.resolve("small.txt")));
        assertEquals("print('hi')\n", Files.readString(stack.resolve("pkg/mod.py")));
        assertEquals("unicode\n", Files.readString(stack.resolve(NON_ASCII)));
        assertArrayEquals(new byte[0], Files.readAllBytes(stack.resolve("pkg/__init__.py")));
    }

    @Test
    void readsMultiChunkFilesWhole() throws IOException {
        assertArrayEquals(bigContent, Files.readAllBytes(stack.resolve("big.bin")));
        assertArrayEquals(exactContent, Files.readAllBytes(stack.resolve("exact.bin")));
    }

    @Test
    void readsAcrossChunkBoundariesAndAtTheEnd() throws IOException {
        try (FileChannel ch = FileChannel.open(stack.resolve("big.bin"), StandardOpenOption.READ)) {
            assertArrayEquals(Arrays.copyOfRange(bigContent, CS - 100, CS + 100), read(ch, CS - 100, 200));
            assertArrayEquals(Arrays.copyOfRange(bigContent, 3 * CS - 1, 4 * CS + 1), read(ch, 3 * CS - 1, CS + 2));
            assertArrayEquals(Arrays.copyOfRange(bigContent, bigContent.length - 10, bigContent.length),
                    read(ch, bigContent.length - 10, 100));
            assertEquals(-1, ch.read(ByteBuffer.allocate(10), bigContent.length));
        }
    }

    @Test
    void concurrentReadersSeeTheSameBytes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<byte[]>> reads = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                reads.add(pool.submit(() -> Files.readAllBytes(stack.resolve("big.bin"))));
            }
            for (Future<byte[]> f : reads) {
                assertArrayEquals(bigContent, f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void symlinksReadBackVerbatim() throws IOException {
        assertTrue(Files.isSymbolicLink(stack.resolve("link")));
        assertEquals(Path.of("small.txt"), Files.readSymbolicLink(stack.resolve("link")));
        assertEquals(Path.of("/home/a/stack/pkg"), Files.readSymbolicLink(stack.resolve("abs")));
        assertEquals(Path.of("no/such/target"), Files.readSymbolicLink(stack.resolve("dangling")));
        assertEquals("hello, world\n", Files.readString(stack.resolve("link")));
        assertFalse(Files.exists(stack.resolve("dangling")));
        assertEquals(14L, Files.readAttributes(stack.resolve("dangling"), BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS).size(), "a symlink's size is its target's length");
    }

    @Test
    void showsModesOwnerAndSizes() throws IOException {
        assertEquals("rw-r--r--", perms(stack.resolve("small.txt")));
        assertEquals("rwxr-xr-x", perms(stack.resolve("run.sh")));
        assertEquals("rw-------", perms(stack.resolve("exact.bin")));
        assertEquals("rwxr-xr-x", perms(stack.resolve("pkg")));
        assertTrue(Files.isExecutable(stack.resolve("run.sh")));
        assertEquals((long) bigContent.length, Files.size(stack.resolve("big.bin")));
        Owner owner = Owner.ofCurrentProcess();
        assertEquals((int) owner.uid(), Files.getAttribute(stack.resolve("small.txt"), "unix:uid"));
        assertEquals((int) owner.gid(), Files.getAttribute(stack.resolve("small.txt"), "unix:gid"));
        assertEquals(3, Files.getAttribute(stack, "unix:nlink"), "2 + one subdirectory");
        assertEquals(1, Files.getAttribute(stack.resolve("big.bin"), "unix:nlink"));
    }

    @Test
    void showsTimesWithNanoseconds() throws IOException {
        Instant expected = Instant.ofEpochSecond(0, TestSnapshot.MTIME);
        Path file = stack.resolve("small.txt");
        assertEquals(FileTime.from(expected), Files.getLastModifiedTime(file));
        assertEquals(FileTime.from(expected), Files.getAttribute(file, "unix:ctime"));
        assertEquals(FileTime.from(expected), Files.getAttribute(file, "lastAccessTime"));
        assertEquals(FileTime.from(Instant.parse("2024-05-01T10:00:00Z")), Files.getLastModifiedTime(mount.mountpoint()));
    }

    @Test
    void refusesEveryWriteWithReadOnlyFileSystem() {
        Path small = stack.resolve("small.txt");
        assertReadOnly(() -> Files.write(small, "x".getBytes()));
        assertReadOnly(() -> Files.write(small, "x".getBytes(), StandardOpenOption.APPEND));
        assertReadOnly(() -> Files.newByteChannel(small, StandardOpenOption.READ, StandardOpenOption.WRITE).close());
        assertReadOnly(() -> Files.createFile(stack.resolve("new.txt")));
        assertReadOnly(() -> Files.createDirectory(stack.resolve("newdir")));
        assertReadOnly(() -> Files.move(small, stack.resolve("moved.txt")));
        assertReadOnly(() -> Files.delete(small));
        assertReadOnly(() -> Files.delete(stack.resolve("pkg/mod.py")));
        assertReadOnly(() -> Files.createSymbolicLink(stack.resolve("l2"), small));
        assertReadOnly(() -> Files.createLink(stack.resolve("h2"), small));
        assertReadOnly(() -> Files.setPosixFilePermissions(small, PosixFilePermissions.fromString("rwxrwxrwx")));
        assertReadOnly(() -> Files.setLastModifiedTime(small, FileTime.fromMillis(0)));
        assertEquals(List.of(), List.of(stack.resolve("new.txt"), stack.resolve("newdir"), stack.resolve("moved.txt"))
                .stream().filter(Files::exists).toList());
    }

    @Test
    void missingNamesAreNotFound() {
        assertFalse(Files.exists(stack.resolve("nope")));
        assertFalse(Files.exists(stack.resolve("pkg/nope.py")));
        assertFalse(Files.exists(mount.mountpoint().resolve("etc/passwd")));
        assertThrows(NoSuchFileException.class, () -> Files.readAllBytes(stack.resolve("nope")));
        // Asked twice: the second answer comes from the kernel's negative cache, and must agree.
        assertThrows(NoSuchFileException.class, () -> Files.readAllBytes(stack.resolve("nope")));
        assertThrows(FileSystemException.class, () -> Files.readAllBytes(stack.resolve("small.txt/x")));
    }

    @Test
    void readingFetchesContentOnlyOnDemand() throws IOException {
        int before = objects.gets.get();
        Files.readAllBytes(stack.resolve("run.sh"));
        assertEquals(before + 1, objects.gets.get(), "one chunk for one small file");
        Files.size(stack.resolve("big.bin"));
        list(stack);
        assertEquals(before + 1, objects.gets.get(), "stat and readdir never fetch");
    }

    @Test
    void aChunkThatCannotBeFetchedIsAnIoErrorNotAHang() throws IOException {
        Path lost = stack.resolve("lost.txt");
        assertEquals(5L, Files.size(lost), "its metadata is fine");
        IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(lost));
        assertTrue(e.getMessage().contains("Input/output error"), e.toString());
    }

    @Test
    void readStateIsKeptOncePerFileHoweverOftenItIsOpened() throws Exception {
        Files.readAllBytes(stack.resolve("small.txt")); // other tests of this mount may have read it already
        long before = mount.filesBeingRead();
        for (int i = 0; i < 20; i++) {
            Files.readAllBytes(stack.resolve("small.txt"));
        }
        assertEquals(before, mount.filesBeingRead(), "20 opens and reads of one file: no new read state");
    }

    private static void assertReadOnly(Executable write) {
        FileSystemException e = assertThrows(FileSystemException.class, write);
        assertFalse(e instanceof AccessDeniedException && e.getReason() == null, e.toString());
        assertTrue(String.valueOf(e.getReason()).contains("Read-only file system"), e.toString());
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static byte[] read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                break;
            }
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }
}
