package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Directory;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot.RootKind;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeScannerTest {
    @TempDir
    Path tmp;
    ScanFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ScanFixture(tmp.resolve("store"));
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Path sample(String name) throws IOException {
        Path root = tmp.resolve(name);
        Trees.sampleTree(root);
        Trees.fixTimes(root);
        return root;
    }

    @Test
    void aFileThatKeepsChangingIsLeftOutWithAWarningAndTheRestIsPublished() throws IOException {
        Path root = tmp.resolve("busy");
        Path busy = Trees.file(root, "busy.log", "start\n");
        Trees.file(root, "calm.py", "x = 1\n");
        try (ScanFixture appending = new ScanFixture(tmp.resolve("store2"), (file, index) -> {
            if (file.getFileName().toString().equals("busy.log")) {
                Files.writeString(file, "more\n", java.nio.file.StandardOpenOption.APPEND);
            }
        })) {
            TreeScanner.RootScan scan = appending.scan(root, RootKind.LIVE);
            assertEquals(1, scan.skipped());
            assertEquals(1, scan.files());
            List<String> names = appending.dir(scan.tree()).entries().stream().map(Entry::name).toList();
            assertEquals(List.of("calm.py"), names, busy + " is left out, never recorded half-read");
        }
    }

    @Test
    void equalTreesInDifferentPlacesHaveEqualDigests() throws IOException {
        Digest a = fx.scan(sample("a"), RootKind.STABLE).tree();
        Digest b = fx.scan(sample("b"), RootKind.STABLE).tree();
        assertEquals(a, b);
    }

    @Test
    void rescanOfUnchangedTreeGivesSameDigestWhateverTheThreadTiming() throws IOException {
        Path root = sample("a");
        for (int i = 0; i < 40; i++) {
            Trees.file(root, "many/f" + i, "content " + i);
        }
        Trees.fixTimes(root);
        Digest first = fx.scan(root, RootKind.LIVE).tree();
        for (int i = 0; i < 5; i++) {
            assertEquals(first, fx.scan(root, RootKind.LIVE).tree());
        }
    }

    @Test
    void editingOneFileChangesItsPathToTheTopButKeepsSiblingSubtrees() throws IOException {
        Path root = sample("a");
        Digest before = fx.scan(root, RootKind.STABLE).tree();
        Digest libBefore = ((Entry.Dir) fx.entry(before, "lib")).tree();
        Digest shareBefore = ((Entry.Dir) fx.entry(before, "share")).tree();

        Trees.file(root, "lib/python/pkg/core.py", "def f():\n    return 43\n");
        Trees.fixTimes(root);
        Digest after = fx.scan(root, RootKind.STABLE).tree();

        assertNotEquals(before, after);
        assertNotEquals(libBefore, ((Entry.Dir) fx.entry(after, "lib")).tree());
        assertEquals(shareBefore, ((Entry.Dir) fx.entry(after, "share")).tree());
    }

    @Test
    void recordsEmptyDirsOddNamesEmptyFilesModesAndTimes() throws IOException {
        Path root = sample("a");
        Digest tree = fx.scan(root, RootKind.STABLE).tree();

        Entry.Dir empty = (Entry.Dir) fx.entry(tree, "share/empty");
        assertEquals(Directory.empty(), fx.dir(empty.tree()));

        Entry.File odd = (Entry.File) fx.entry(tree, "with space/naïve – ünïcödé.txt");
        assertEquals(Digest.of("grüße\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)), odd.content());

        Entry.File init = (Entry.File) fx.entry(tree, "lib/python/pkg/__init__.py");
        assertEquals(0, init.size());
        assertEquals(Digest.of(new byte[0]), init.content());

        Entry.File tool = (Entry.File) fx.entry(tree, "bin/tool");
        assertEquals(0750, tool.mode());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(Trees.FIXED.toMillis()), tool.mtimeNanos());

        Entry.Dir bin = (Entry.Dir) fx.entry(tree, "bin");
        assertEquals(Files.size(root.resolve("bin")), bin.size());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(Trees.FIXED.toMillis()), bin.mtimeNanos());
    }

    @Test
    void fileBiggerThanOneChunkIsNamedByAChunkListOfItsSlices() throws IOException {
        Path root = sample("a");
        byte[] bytes = Files.readAllBytes(root.resolve("lib/libbig.so"));
        TreeScanner.RootScan scan = fx.scan(root, RootKind.LIVE);

        Entry.File big = (Entry.File) fx.entry(scan.tree(), "lib/libbig.so");
        assertEquals(bytes.length, big.size());
        ChunkList list = fx.chunkList(big.content());
        assertEquals(4, list.chunks().size());
        for (int i = 0; i < 4; i++) {
            byte[] slice = Arrays.copyOfRange(bytes, i * ScanFixture.CHUNK, Math.min(bytes.length, (i + 1) * ScanFixture.CHUNK));
            assertEquals(Digest.of(slice), list.chunks().get(i));
            assertTrue(Arrays.equals(slice, fx.store.readRaw(list.chunks().get(i))), "live chunk " + i + " is frozen");
        }
    }

    @Test
    void fileOfExactlyOneChunkIsNamedByThatChunk() throws IOException {
        Path root = tmp.resolve("r");
        byte[] bytes = Trees.randomBytes(ScanFixture.CHUNK, 3);
        Trees.file(root, "exact", bytes);
        Entry.File f = (Entry.File) fx.entry(fx.scan(root, RootKind.STABLE).tree(), "exact");
        assertEquals(Digest.of(bytes), f.content());
    }

    @Test
    void symlinksAreRecordedVerbatimAndNeverFollowed() throws IOException {
        Path outside = tmp.resolve("outside");
        Path secret = Trees.file(outside, "secret.txt", "do not export me");
        Trees.file(outside, "dir/inner.txt", "nor me");
        Path root = tmp.resolve("r");
        Trees.file(root, "sub/file", "x");
        Files.createSymbolicLink(root.resolve("rel"), Path.of("sub/file"));
        Files.createSymbolicLink(root.resolve("abs"), secret.toAbsolutePath());
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("no/such/thing"));
        Files.createSymbolicLink(root.resolve("escape"), Path.of("../outside/secret.txt"));
        Files.createSymbolicLink(root.resolve("escape-dir"), outside.resolve("dir"));

        TreeScanner.RootScan scan = fx.scan(root, RootKind.LIVE);

        assertEquals("sub/file", ((Entry.Symlink) fx.entry(scan.tree(), "rel")).target());
        assertEquals(secret.toAbsolutePath().toString(), ((Entry.Symlink) fx.entry(scan.tree(), "abs")).target());
        assertEquals("no/such/thing", ((Entry.Symlink) fx.entry(scan.tree(), "dangling")).target());
        assertEquals("../outside/secret.txt", ((Entry.Symlink) fx.entry(scan.tree(), "escape")).target());
        assertInstanceOf(Entry.Symlink.class, fx.entry(scan.tree(), "escape-dir"));
        assertEquals(1, scan.files(), "only sub/file is a file of this root");
        assertFalse(fx.store.contains(Digest.of(Files.readAllBytes(secret))), "the outside file was never read");
        assertFalse(fx.store.contains(Digest.of("nor me".getBytes())));
    }

    private TreeScanner.RootScan scan(Path root, PublishProgress progress) throws IOException {
        progress.expectRoots(1);
        return fx.scanner.scan(root.toRealPath(), RootKind.STABLE,
                new TreeScanner.Context(PublishIndex.empty(ScanFixture.CHUNK), progress));
    }

    /** Java would read the target {@code ..\xff/lib} as {@code ..\uFFFD/lib}: other bytes, if recorded. */
    @Test
    void aSymlinkWhoseTargetIsNotUtf8IsLeftOutWithAWarning() throws IOException {
        Path root = tmp.resolve("r");
        Trees.file(root, "keep.txt", "k");
        Trees.bash(root, "ln -s $'..\\xff/lib' bad && ln -s $'ok\\xef\\xbf\\xbd//lib/' good");
        PublishProgress progress = new PublishProgress();

        TreeScanner.RootScan scan = scan(root, progress);

        assertEquals(List.of("good", "keep.txt"), fx.dir(scan.tree()).entries().stream().map(Entry::name).toList());
        assertEquals("ok\uFFFD//lib/", ((Entry.Symlink) fx.entry(scan.tree(), "good")).target(),
                "a real U+FFFD and the slashes as written");
        assertEquals(1, scan.skipped());
        assertEquals(List.of(root.toRealPath().resolve("bad") + ": its target is not valid UTF-8"),
                progress.snapshot().leftOut());
    }

    /** The bytes EF BF BD are U+FFFD itself, valid UTF-8; the byte FF is not UTF-8 at all. */
    @Test
    void aNameWithARealReplacementCharacterIsPublishedExactlyAndOneNotUtf8IsLeftOut() throws IOException {
        Path root = tmp.resolve("r");
        Trees.bash(Files.createDirectories(root),
                "printf real > $'a\\xef\\xbf\\xbdb.txt' && printf bad > $'a\\xffb.txt'");
        PublishProgress progress = new PublishProgress();

        TreeScanner.RootScan scan = scan(root, progress);

        List<Entry> entries = fx.dir(scan.tree()).entries();
        assertEquals(1, entries.size());
        assertArrayEquals(new byte[] {'a', (byte) 0xef, (byte) 0xbf, (byte) 0xbd, 'b', '.', 't', 'x', 't'},
                entries.get(0).name().getBytes(StandardCharsets.UTF_8));
        assertEquals(Digest.of("real".getBytes()), ((Entry.File) entries.get(0)).content());
        assertEquals(1, scan.skipped());
        assertTrue(progress.snapshot().leftOut().get(0).endsWith(": its name is not valid UTF-8"),
                progress.snapshot().leftOut().toString());
    }

    @Test
    void leavesOutGitEntriesFifosAndSockets() throws Exception {
        Path root = tmp.resolve("r");
        Trees.file(root, "keep.txt", "k");
        Trees.file(root, ".git/HEAD", "ref: refs/heads/main\n");
        Trees.file(root, "sub/.git", "gitdir: ../.git/worktrees/sub\n");
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(root.resolve("sock")));

            TreeScanner.RootScan scan = fx.scan(root, RootKind.STABLE);

            List<String> names = fx.dir(scan.tree()).entries().stream().map(Entry::name).toList();
            assertEquals(List.of("keep.txt", "sub"), names);
            assertEquals(Directory.empty(), fx.dir(((Entry.Dir) fx.entry(scan.tree(), "sub")).tree()));
        }
    }

    @Test
    void liveRootContentIsFrozenStableRootContentIsOnlyLocated() throws IOException {
        Path live = tmp.resolve("live");
        Trees.file(live, "a.txt", "live bytes");
        Path stable = tmp.resolve("stable");
        Trees.file(stable, "b.txt", "stable bytes");

        TreeScanner.RootScan liveScan = fx.scan(live, RootKind.LIVE);
        TreeScanner.RootScan stableScan = fx.scan(stable, RootKind.STABLE);

        assertTrue(fx.store.contains(Digest.of("live bytes".getBytes())));
        assertTrue(liveScan.stableFiles().isEmpty());
        assertFalse(fx.store.contains(Digest.of("stable bytes".getBytes())));
        assertEquals(1, stableScan.stableFiles().size());
        assertEquals(stable.toRealPath().resolve("b.txt"), stableScan.stableFiles().get(0).path());
        assertTrue(fx.store.contains(stableScan.tree()), "directory objects of stable roots are frozen too");
    }

    @Test
    void rePublishFreezesOnlyWhatChanged() throws IOException {
        Path root = sample("a");
        TreeScanner.RootScan first = fx.scan(root, RootKind.LIVE);
        assertTrue(first.newObjects() > 0);
        TreeScanner.RootScan again = fx.scan(root, RootKind.LIVE);
        assertEquals(0, again.newObjects());

        Trees.file(root, "bin/tool", "#!/bin/sh\necho changed\n");
        TreeScanner.RootScan edited = fx.scan(root, RootKind.LIVE);
        // the new content, and the directories from bin up to the root
        assertEquals(3, edited.newObjects());
    }

    @Test
    void countsFilesAndBytesOfRegularFilesOnly() throws IOException {
        Path root = sample("a");
        Files.createSymbolicLink(root.resolve("link"), Path.of("bin/tool"));
        long expected;
        try (var files = Files.walk(root)) {
            expected = files.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
        TreeScanner.RootScan scan = fx.scan(root, RootKind.STABLE);
        assertEquals(5, scan.files());
        assertEquals(expected, scan.bytes());
    }
}
