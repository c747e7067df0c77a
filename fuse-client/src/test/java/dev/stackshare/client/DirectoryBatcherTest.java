package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DirectoryBatcherTest {
    private final TestSnapshot objects = new TestSnapshot();
    private final RecordingSource recording = new RecordingSource(objects);
    private final List<List<Digest>> batches = recording.calls;
    private final MemoryCache memory = new MemoryCache(recording, 1 << 24, new Counters());

    private final Entry.File a = objects.file("a.py", 0644, TestSnapshot.bytes(100, 1));
    private final Entry.File b = objects.file("b.py", 0644, TestSnapshot.bytes(200, 2));
    private final Entry.File c = objects.file("c.py", 0644, TestSnapshot.bytes(300, 3));
    private final Entry.File big = objects.file("big.so", 0755, TestSnapshot.bytes(3 * TestSnapshot.CHUNK_SIZE, 4));
    private final Entry.File data = objects.file("data.bin", 0644, TestSnapshot.bytes(2 * TestSnapshot.CHUNK_SIZE, 6));
    private final Entry.File empty = objects.file("empty", 0644, new byte[0]);
    private final Entry.File other = objects.file("x.py", 0644, TestSnapshot.bytes(50, 5));
    private final SnapshotTree tree;

    DirectoryBatcherTest() throws IOException {
        tree = SnapshotTree.build(objects.snapshot("0123456789abcdef",
                objects.dir("pkg", a, b, big, c, data, empty, objects.dir("sub", other))), objects);
    }

    private DirectoryBatcher batcher(Set<Digest> onDisk, long maxBytes) {
        return new DirectoryBatcher(tree, memory, onDisk::contains, Runnable::run, maxBytes);
    }

    @Test
    void theFirstOpenFetchesTheDirectorysSmallFilesInOneBatchOpenedFileFirst() throws IOException {
        DirectoryBatcher batcher = batcher(Set.of(), 1 << 20);
        batcher.firstRead("/pkg/b.py", b);
        assertEquals(List.of(List.of(b.content(), a.content(), c.content())), batches);

        batcher.firstRead("/pkg/a.py", a);
        batcher.firstRead("/pkg/c.py", c);
        memory.get(a.content());
        memory.get(c.content());
        assertEquals(1, batches.size(), "later opens in the directory are served by that batch");
    }

    @Test
    void siblingsOnDiskOrInMemoryAreLeftOut() throws IOException {
        memory.get(c.content());
        batches.clear();
        batcher(Set.of(a.content()), 1 << 20).firstRead("/pkg/b.py", b);
        assertTrue(batches.isEmpty(), "only the opened file is wanted: the read fetches it alone, no batch");
    }

    @Test
    void anOpenThatHitsACacheStartsNoBatch() throws IOException {
        batcher(Set.of(b.content()), 1 << 20).firstRead("/pkg/b.py", b);
        assertTrue(batches.isEmpty(), "on disk: a warm node");
        memory.get(a.content());
        batches.clear();
        DirectoryBatcher batcher = batcher(Set.of(), 1 << 20);
        batcher.firstRead("/pkg/a.py", a);
        assertTrue(batches.isEmpty(), "in memory: fetched or being fetched already");
        batcher.firstRead("/pkg/b.py", b);
        assertEquals(List.of(List.of(b.content(), c.content())), batches, "a later miss there still batches");
    }

    @Test
    void aBatchStopsAtItsByteBound() {
        batcher(Set.of(), 350).firstRead("/pkg/b.py", b);
        assertEquals(List.of(List.of(b.content(), a.content())), batches);
    }

    @Test
    void eachDirectoryIsBatchedOnce() {
        DirectoryBatcher batcher = batcher(Set.of(), 1 << 20);
        batcher.firstRead("/pkg/sub/x.py", other);
        batcher.firstRead("/pkg/sub/x.py", other);
        assertTrue(batches.isEmpty(), "a directory of one small file needs no batch");
        batcher.firstRead("/pkg/a.py", a);
        batcher.firstRead("/pkg/b.py", b);
        assertEquals(1, batches.size());
    }

    @Test
    void aSharedLibraryIsFetchedWholeInOneBatchOnItsFirstOpen() throws IOException {
        List<Digest> chunks = tree.chunks(big);
        batches.clear();
        DirectoryBatcher batcher = batcher(Set.of(), 1 << 20);
        batcher.firstRead("/pkg/big.so", big);
        batcher.firstRead("/pkg/big.so", big);
        assertEquals(List.of(List.of(chunks.get(0), chunks.get(2), chunks.get(1))), batches,
                "every chunk, once: the first, the last (relocations), then the rest");
    }

    @Test
    void aLibrarysChunksComeFirstLastThenInFileOrder() {
        List<Digest> d = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            d.add(Digest.of(new byte[] {(byte) i}));
        }
        assertEquals(List.of(d.get(0), d.get(4), d.get(1), d.get(2), d.get(3)), DirectoryBatcher.loadOrder(d));
        assertEquals(d.subList(0, 2), DirectoryBatcher.loadOrder(d.subList(0, 2)));
    }

    @Test
    void aLibraryPartlyCachedIsLeftToItsReadsAndOtherBigFilesWaitForTheirReads() throws IOException {
        List<Digest> chunks = tree.chunks(big);
        batches.clear();
        DirectoryBatcher batcher = batcher(Set.of(chunks.get(2)), 1 << 20);
        batcher.firstRead("/pkg/data.bin", data);
        assertTrue(batches.isEmpty(), "a big file that is not a library is read chunk by chunk, with read-ahead");
        batcher.firstRead("/pkg/big.so", big);
        assertTrue(batches.isEmpty(), "a chunk on disk (a trace prefetch, an earlier job): the rest was not needed then");
    }

    @Test
    void librariesAreKnownByName() {
        for (String name : List.of("libm.so", "libstdc++.so.6", "libfoo.so.1.2.3", "_multiarray.cpython-311-x86_64-linux-gnu.so")) {
            assertTrue(DirectoryBatcher.isSharedLibrary(new Entry.File(name, 0755, 1 << 20, 0, big.content())), name);
        }
        for (String name : List.of("so", "x.sop", "lib.so.x", "notes.so.txt")) {
            assertFalse(DirectoryBatcher.isSharedLibrary(new Entry.File(name, 0755, 1 << 20, 0, big.content())), name);
        }
        assertFalse(DirectoryBatcher.isSharedLibrary(new Entry.File("huge.so", 0755,
                DirectoryBatcher.MAX_LIBRARY_BATCH_BYTES + 1, 0, big.content())), "bounded in size");
    }

    @Test
    void aColdDirectoryIsOfferedAsItsGetFormWithEverySmallFile() throws IOException {
        List<String> offered = new ArrayList<>();
        DirectoryBatcher batcher = new DirectoryBatcher(tree, memory, d -> false, Runnable::run,
                DirectoryBatcher.DEFAULT_MAX_BATCH_BYTES, (dir, chunkSize, members) -> offered.add(dir.hex() + " "
                        + chunkSize + " " + members), null, () -> false);
        batcher.firstRead("/pkg/b.py", b);
        Entry.Dir pkg = (Entry.Dir) tree.lookup("/pkg");
        assertEquals(List.of(pkg.tree().hex() + " " + TestSnapshot.CHUNK_SIZE + " "
                + List.of(a.content(), b.content(), c.content())), offered, "listing order; no big or empty file");
        assertEquals(List.of(List.of(b.content(), a.content(), c.content())), batches, "then fetched as before");
    }

    @Test
    void aDirectoryMostlyOnDiskIsNotOfferedItsFewMissingFilesArePosted() throws IOException {
        Entry.File d = objects.file("d.py", 0644, TestSnapshot.bytes(10, 6));
        Entry.File e = objects.file("e.py", 0644, TestSnapshot.bytes(10, 7));
        SnapshotTree five = SnapshotTree.build(objects.snapshot("0123456789abcdef", objects.dir("pkg", a, b, c, d, e)), objects);
        List<Digest> offered = new ArrayList<>();
        new DirectoryBatcher(five, memory, Set.of(a.content(), c.content(), d.content())::contains, Runnable::run,
                DirectoryBatcher.DEFAULT_MAX_BATCH_BYTES, (dir, chunkSize, members) -> offered.add(dir), null, () -> false).firstRead("/pkg/b.py", b);
        assertTrue(offered.isEmpty(), "2 of 5 missing: the GET form would bring 3 the node has");
        assertEquals(List.of(List.of(b.content(), e.content())), batches);
    }

    @Test
    void onceSourcesAreReadBesideCompiledFormsAPackageAndItsPycacheAreBatchedTogether() throws IOException {
        Entry.File[] initPy = new Entry.File[3];
        Entry.File[] modPy = new Entry.File[3];
        Entry.File[] initPyc = new Entry.File[3];
        Entry.File[] modPyc = new Entry.File[3];
        Entry.Dir[] packages = new Entry.Dir[3];
        for (int i = 0; i < 3; i++) {
            initPy[i] = objects.file("__init__.py", 0644, TestSnapshot.bytes(40 + i, 10 + i));
            modPy[i] = objects.file("mod.py", 0644, TestSnapshot.bytes(50 + i, 20 + i));
            initPyc[i] = objects.file("__init__.cpython-311.pyc", 0644, TestSnapshot.bytes(60 + i, 30 + i));
            modPyc[i] = objects.file("mod.cpython-311.pyc", 0644, TestSnapshot.bytes(70 + i, 40 + i));
            packages[i] = objects.dir("p" + i, initPy[i], modPy[i], objects.dir("__pycache__", initPyc[i], modPyc[i]));
        }
        SnapshotTree python = SnapshotTree.build(objects.snapshot("0123456789abcdef", objects.dir("lib", packages)), objects);
        DirectoryBatcher batcher = new DirectoryBatcher(python, memory, d -> false, Runnable::run, 1 << 20);
        for (int i = 0; i < 2; i++) {
            batcher.firstRead("/lib/p" + i + "/__pycache__/__init__.cpython-311.pyc", initPyc[i]);
            batcher.firstRead("/lib/p" + i + "/__init__.py", initPy[i]);
        }
        assertEquals(List.of(List.of(initPyc[0].content(), modPyc[0].content()), List.of(initPy[0].content(), modPy[0].content()),
                List.of(initPyc[1].content(), modPyc[1].content()), List.of(initPy[1].content(), modPy[1].content())), batches,
                "until then, one batch a directory as it is read");
        batches.clear();
        batcher.firstRead("/lib/p2/__pycache__/__init__.cpython-311.pyc", initPyc[2]);
        assertEquals(List.of(List.of(initPyc[2].content(), modPyc[2].content()), List.of(initPy[2].content(), modPy[2].content())),
                batches, "the package's sources come with its compiled files, in their own batch");
        batcher.firstRead("/lib/p2/__init__.py", initPy[2]);
        assertEquals(2, batches.size(), "the source's read finds it fetched");
    }

    @Test
    void theFirstReadInAPackagesPycacheFetchesItsSubpackagesCompiledModulesAhead() throws IOException {
        Entry.File init = objects.file("__init__.py", 0644, TestSnapshot.bytes(10, 50));
        Entry.File pkgInit = objects.file("__init__.cpython-311.pyc", 0644, TestSnapshot.bytes(30, 51));
        Entry.File pkgMod = objects.file("m.cpython-311.pyc", 0644, TestSnapshot.bytes(40, 52));
        Entry.File subInit = objects.file("__init__.cpython-311.pyc", 0644, TestSnapshot.bytes(31, 53));
        Entry.File subMod = objects.file("s.cpython-311.pyc", 0644, TestSnapshot.bytes(41, 54));
        Entry.File testMod = objects.file("t.cpython-311.pyc", 0644, TestSnapshot.bytes(42, 55));
        Entry.File dataMod = objects.file("d.cpython-311.pyc", 0644, TestSnapshot.bytes(43, 56));
        Entry.Dir pkg = objects.dir("pkg", init, objects.dir("__pycache__", pkgInit, pkgMod),
                objects.dir("sub", init, objects.dir("__pycache__", subInit, subMod)),
                objects.dir("tests", init, objects.dir("__pycache__", testMod)),
                objects.dir("data", objects.dir("__pycache__", dataMod)));
        Entry.File six = objects.file("six.cpython-311.pyc", 0644, TestSnapshot.bytes(44, 57));
        SnapshotTree python = SnapshotTree.build(objects.snapshot("0123456789abcdef",
                objects.dir("lib", pkg, objects.dir("__pycache__", six))), objects);
        DirectoryBatcher batcher = new DirectoryBatcher(python, memory, d -> false, Runnable::run, 1 << 20, null, Runnable::run, () -> true);
        batcher.firstRead("/lib/__pycache__/six.cpython-311.pyc", six);
        assertTrue(batches.isEmpty(), "a top-level module's directory (site-packages) is no package: nothing guessed");
        batcher.firstRead("/lib/pkg/__pycache__/__init__.cpython-311.pyc", pkgInit);
        assertEquals(List.of(List.of(subInit.content(), subMod.content()), List.of(pkgInit.content(), pkgMod.content())), batches,
                "the subpackage's compiled modules (not the tests', not a directory without __init__.py), and the read's own batch");
        batches.clear();
        batcher.firstRead("/lib/pkg/__pycache__/m.cpython-311.pyc", pkgMod);
        batcher.firstRead("/lib/pkg/sub/__pycache__/s.cpython-311.pyc", subMod);
        memory.get(subMod.content());
        assertTrue(batches.isEmpty(), "each guessed once, and the subpackage's reads find it fetched");
    }

    @Test
    void guessedBatchesStopAtTheirByteBound() throws IOException {
        Entry.File init = objects.file("__init__.py", 0644, TestSnapshot.bytes(10, 60));
        Entry.File top = objects.file("__init__.cpython-311.pyc", 0644, TestSnapshot.bytes(30, 61));
        Entry.Dir[] subs = new Entry.Dir[3];
        for (int i = 0; i < 3; i++) {
            subs[i] = objects.dir("s" + i, init, objects.dir("__pycache__",
                    objects.file("a.cpython-311.pyc", 0644, TestSnapshot.bytes(100, 62 + i)),
                    objects.file("b.cpython-311.pyc", 0644, TestSnapshot.bytes(100, 65 + i))));
        }
        Entry.Dir pkg = objects.dir("pkg", init, objects.dir("__pycache__", top), subs[0], subs[1], subs[2]);
        SnapshotTree python = SnapshotTree.build(objects.snapshot("0123456789abcdef", pkg), objects);
        DirectoryBatcher batcher = new DirectoryBatcher(python, memory, d -> false, Runnable::run, 1 << 20, null, Runnable::run, () -> true);
        List<String> guessed = new ArrayList<>();
        new SubpackageGuess(python, (path, dir) -> {
            guessed.add(path);
            return 250;
        }, (path, dir) -> 0, Runnable::run, () -> true, 400).noteRead("/pkg/__pycache__");
        assertEquals(List.of("/pkg/s0/__pycache__", "/pkg/s1/__pycache__"), guessed, "the bound is checked before each guess");
        batcher.firstRead("/pkg/__pycache__/__init__.cpython-311.pyc", top);
        assertEquals(3, batches.size(), "with room, every subpackage is guessed");
    }

    @Test
    void theFirstReadInAPackagesPycacheFetchesItsExtensionModulesSmallOnesFirst() throws IOException {
        Entry.File init = objects.file("__init__.py", 0644, TestSnapshot.bytes(10, 40));
        Entry.File top = objects.file("__init__.cpython-311.pyc", 0644, TestSnapshot.bytes(30, 41));
        Entry.File bigExtension = objects.file("_core.cpython-311-x86_64-linux-gnu.so", 0755,
                TestSnapshot.bytes(2 * TestSnapshot.CHUNK_SIZE, 42));
        Entry.File smallExtension = objects.file("_small.cpython-311-x86_64-linux-gnu.so", 0755, TestSnapshot.bytes(700, 43));
        Entry.File source = objects.file("core.py", 0644, TestSnapshot.bytes(500, 44));
        SnapshotTree python = SnapshotTree.build(objects.snapshot("0123456789abcdef", objects.dir("pkg", init,
                objects.dir("__pycache__", top), bigExtension, smallExtension, source)), objects);
        DirectoryBatcher batcher = new DirectoryBatcher(python, memory, d -> false, Runnable::run, 1 << 20, null, Runnable::run,
                () -> true);
        batcher.firstRead("/pkg/__pycache__/__init__.cpython-311.pyc", top);
        List<Digest> extensions = new ArrayList<>(List.of(smallExtension.content()));
        extensions.addAll(python.chunks(bigExtension));
        assertEquals(List.of(extensions), batches, "the read's own file came alone, the extension modules in one batch; no source");

        batches.clear();
        batcher.firstRead("/pkg/_core.cpython-311-x86_64-linux-gnu.so", bigExtension);
        batcher.firstRead("/pkg/_small.cpython-311-x86_64-linux-gnu.so", smallExtension);
        assertTrue(batches.isEmpty(), "their reads find them fetched and start no batch");

        // Through HTTP caches only a POST could ask for them, and every node's would reach the origin.
        MemoryCache fresh = new MemoryCache(recording, 1 << 24, new Counters());
        batches.clear();
        new DirectoryBatcher(python, fresh, d -> false, Runnable::run, 1 << 20, null, Runnable::run, () -> true, true)
                .firstRead("/pkg/__pycache__/__init__.cpython-311.pyc", top);
        assertTrue(batches.isEmpty(), "through caches the extension modules are left to their reads: " + batches);
    }

    @Test
    void noGuessWhileATraceSaysWhatTheJobReads() throws IOException {
        Entry.File init = objects.file("__init__.py", 0644, TestSnapshot.bytes(10, 70));
        Entry.File top = objects.file("__init__.cpython-311.pyc", 0644, TestSnapshot.bytes(30, 71));
        Entry.File other = objects.file("o.cpython-311.pyc", 0644, TestSnapshot.bytes(30, 72));
        Entry.File subA = objects.file("a.cpython-311.pyc", 0644, TestSnapshot.bytes(100, 73));
        Entry.File subB = objects.file("b.cpython-311.pyc", 0644, TestSnapshot.bytes(100, 74));
        SnapshotTree python = SnapshotTree.build(objects.snapshot("0123456789abcdef", objects.dir("pkg", init,
                objects.dir("__pycache__", top, other), objects.dir("s", init, objects.dir("__pycache__", subA, subB)))), objects);
        java.util.concurrent.atomic.AtomicBoolean traced = new java.util.concurrent.atomic.AtomicBoolean(true);
        DirectoryBatcher batcher = new DirectoryBatcher(python, memory, d -> false, Runnable::run, 1 << 20, null, Runnable::run,
                () -> !traced.get());
        batcher.firstRead("/pkg/__pycache__/__init__.cpython-311.pyc", top);
        assertEquals(List.of(List.of(top.content(), other.content())), batches, "a trace is being prefetched: the read's batch only");
        traced.set(false);
        batcher.firstRead("/pkg/__pycache__/o.cpython-311.pyc", other);
        assertEquals(List.of(List.of(top.content(), other.content()), List.of(subA.content(), subB.content())), batches,
                "no trace after all: the next read there guesses");
    }

    @Test
    void rejectsANonPositiveBound() {
        assertThrows(IllegalArgumentException.class, () -> batcher(Set.of(), 0));
    }
}
