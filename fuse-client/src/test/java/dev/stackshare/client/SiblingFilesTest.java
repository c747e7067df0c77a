package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Package metadata scans: a file read in two sibling directories is fetched from all of them in one batch. */
class SiblingFilesTest {
    private final TestSnapshot objects = new TestSnapshot();
    private final RecordingSource recording = new RecordingSource(objects);
    private final List<List<Digest>> batches = recording.calls;
    private final MemoryCache memory = new MemoryCache(recording, 1 << 24, new Counters());
    private final Entry.File[] pkgInfo = new Entry.File[4];
    private final Entry.File[] sources = new Entry.File[4];
    private final Entry.File module = objects.file("six.py", 0644, TestSnapshot.bytes(500, 90));
    private final SnapshotTree tree;

    SiblingFilesTest() throws IOException {
        List<Entry> site = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pkgInfo[i] = objects.file("PKG-INFO", 0644, TestSnapshot.bytes(100 + i, 80 + i));
            sources[i] = objects.file("SOURCES.txt", 0644, TestSnapshot.bytes(1000 + i, 85 + i));
            site.add(objects.dir("p" + i + "-1.0.egg-info", pkgInfo[i], sources[i]));
        }
        site.add(module);
        tree = SnapshotTree.build(objects.snapshot("0123456789abcdef",
                objects.dir("site", site.toArray(Entry[]::new))), objects);
    }

    private static String pkgInfoPath(int i) {
        return "/site/p" + i + "-1.0.egg-info/PKG-INFO";
    }

    private DirectoryBatcher batcher(AtomicBoolean guessing) {
        return new DirectoryBatcher(tree, memory, d -> false, Runnable::run, 1 << 20, null, Runnable::run, guessing::get);
    }

    @Test
    void theSecondSiblingToReadAFileFetchesThatFileFromEverySiblingInOneBatch() throws IOException {
        DirectoryBatcher batcher = batcher(new AtomicBoolean(true));
        batcher.firstRead(pkgInfoPath(0), pkgInfo[0]);
        assertEquals(List.of(List.of(pkgInfo[0].content(), sources[0].content())), batches,
                "one directory read: its own batch, nothing guessed");
        batcher.firstRead(pkgInfoPath(1), pkgInfo[1]);
        assertEquals(List.of(pkgInfo[1].content(), pkgInfo[2].content(), pkgInfo[3].content()), batches.get(1),
                "the second sibling: the file from every sibling that lacks it, and no SOURCES.txt");
        int before = batches.size();
        for (int i = 1; i < 4; i++) {
            batcher.firstRead(pkgInfoPath(i), pkgInfo[i]);
            memory.get(pkgInfo[i].content());
        }
        assertEquals(before, batches.size(), "the scan's later reads hit memory and start no batch");
    }

    @Test
    void theGuessClaimsTheReadsFileBeforeItsDirectoryBatchWhateverThreadRunsFirst() throws IOException {
        List<Runnable> later = new ArrayList<>();
        DirectoryBatcher batcher = new DirectoryBatcher(tree, memory, d -> false, Runnable::run, 1 << 20, null, later::add, () -> true);
        batcher.firstRead(pkgInfoPath(0), pkgInfo[0]);
        batcher.firstRead(pkgInfoPath(1), pkgInfo[1]);
        assertEquals(1, batches.size(), "the second read's directory starts no batch of its own: the guess holds its file");
        later.forEach(Runnable::run);
        assertEquals(List.of(pkgInfo[1].content(), pkgInfo[2].content(), pkgInfo[3].content()), batches.get(1),
                "the guess's fetch, run late on its pool, still brings the file being read");
    }

    @Test
    void throughHttpCachesNoSiblingIsGuessed() throws IOException {
        // Only a POST can ask for the siblings' files, and every node's POST would reach the origin.
        DirectoryBatcher batcher = new DirectoryBatcher(tree, memory, d -> false, Runnable::run, 1 << 20, null, Runnable::run,
                () -> true, true);
        batcher.firstRead(pkgInfoPath(0), pkgInfo[0]);
        batcher.firstRead(pkgInfoPath(1), pkgInfo[1]);
        assertEquals(List.of(List.of(pkgInfo[0].content(), sources[0].content()), List.of(pkgInfo[1].content(), sources[1].content())),
                batches, "each directory's own batch, nothing guessed");
    }

    @Test
    void aSecondReadInTheSameDirectoryOrOfAnotherNameGuessesNothing() throws IOException {
        SiblingFiles siblings = new SiblingFiles(tree, memory, d -> false, Runnable::run, () -> true, 1 << 20);
        siblings.noteRead("/site/p0-1.0.egg-info", "PKG-INFO");
        siblings.noteRead("/site/p0-1.0.egg-info", "PKG-INFO");
        siblings.noteRead("/site/p1-1.0.egg-info", "SOURCES.txt");
        siblings.noteRead("/site", "six.py");
        assertTrue(batches.isEmpty());
    }

    @Test
    void guessedBytesStopAtTheirBound() throws IOException {
        SiblingFiles siblings = new SiblingFiles(tree, memory, d -> false, Runnable::run, () -> true, 205);
        siblings.noteRead("/site/p0-1.0.egg-info", "PKG-INFO");
        siblings.noteRead("/site/p1-1.0.egg-info", "PKG-INFO");
        assertEquals(List.of(List.of(pkgInfo[1].content(), pkgInfo[0].content())), batches,
                "the file being read first; 101 and 100 bytes fit in 205, the third file's 102 do not");
        siblings.noteRead("/site/p0-1.0.egg-info", "SOURCES.txt");
        siblings.noteRead("/site/p1-1.0.egg-info", "SOURCES.txt");
        assertEquals(1, batches.size(), "the bound is spent: no more guesses");
    }

    @Test
    void noGuessWhileATraceSaysWhatTheJobReads() throws IOException {
        AtomicBoolean guessing = new AtomicBoolean(false);
        SiblingFiles siblings = new SiblingFiles(tree, memory, d -> false, Runnable::run, guessing::get, 1 << 20);
        siblings.noteRead("/site/p0-1.0.egg-info", "PKG-INFO");
        siblings.noteRead("/site/p1-1.0.egg-info", "PKG-INFO");
        assertTrue(batches.isEmpty(), "a trace is being prefetched");
        guessing.set(true);
        siblings.noteRead("/site/p2-1.0.egg-info", "PKG-INFO");
        assertEquals(1, batches.size(), "no trace after all: the next sibling's read guesses");
    }

    @Test
    void firstReadsAreForgottenPastTheirBoundAndRecentOnesStillGuess() {
        SiblingFiles siblings = new SiblingFiles(tree, memory, d -> false, Runnable::run, () -> true, 1 << 20);
        for (int i = 0; i < SiblingFiles.MAX_REMEMBERED + 10; i++) {
            siblings.noteRead("/site/p0-1.0.egg-info", "file" + i);
            assertTrue(siblings.remembered() <= SiblingFiles.MAX_REMEMBERED);
        }
        assertTrue(batches.isEmpty(), "one directory read: nothing to guess");
        siblings.noteRead("/site/p0-1.0.egg-info", "PKG-INFO");
        siblings.noteRead("/site/p1-1.0.egg-info", "PKG-INFO");
        assertEquals(1, batches.size(), "a scan after the bound was passed still guesses");
    }

    @Test
    void cachedFilesAreLeftOut() throws IOException {
        memory.get(pkgInfo[2].content());
        batches.clear();
        SiblingFiles siblings = new SiblingFiles(tree, memory, pkgInfo[3].content()::equals, Runnable::run, () -> true, 1 << 20);
        siblings.noteRead("/site/p0-1.0.egg-info", "PKG-INFO");
        siblings.noteRead("/site/p1-1.0.egg-info", "PKG-INFO");
        assertEquals(List.of(List.of(pkgInfo[1].content(), pkgInfo[0].content())), batches, "in memory or on disk: not fetched");
    }
}
