package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataLoaderTest {
    @TempDir
    Path cacheDir;
    private final TestSnapshot objects = new TestSnapshot();
    private final Counters counters = new Counters();
    private final Entry.File big = objects.file("big", 0644, TestSnapshot.bytes(5 * TestSnapshot.CHUNK_SIZE, 2));
    private final Entry.File small = objects.file("small", 0644, "x".getBytes());
    private final Snapshot snapshot = objects.snapshot("0123456789abcdef",
            objects.dir("home", objects.dir("sub", big, small)));
    private final AtomicInteger treeRequests = new AtomicInteger();

    /** Answers like the server's tree endpoint: every directory and chunk list. */
    private void tree(String id, ServerClient.ItemSink sink) throws IOException {
        treeRequests.incrementAndGet();
        for (Digest d : objects.metadata) {
            sink.accept(new BatchStream.Item(d, Compression.compress(objects.objects.get(d))));
        }
    }

    @Test
    void coldCacheMakesOneTreeRequestAndNoOtherFetch() throws IOException {
        DiskCache disk = DiskCache.open(cacheDir, objects, counters);

        SnapshotTree tree = new MetadataLoader(disk, this::tree).load(snapshot);

        assertEquals(1, treeRequests.get());
        assertEquals(0, objects.gets.get(), "nothing fetched on its own, no file content");
        assertEquals(5, tree.chunks(big).size());
        for (Digest d : objects.metadata) {
            assertTrue(Files.exists(disk.pathOf(d)));
        }
        assertTrue(!Files.exists(disk.pathOf(small.content())), "file content is not fetched at mount");
    }

    @Test
    void warmCacheMakesNoRequestAtAll() throws IOException {
        new MetadataLoader(DiskCache.open(cacheDir, objects, counters), this::tree).load(snapshot);
        treeRequests.set(0);
        ObjectSource refuses = d -> {
            throw new AssertionError("fetched " + d);
        };

        new MetadataLoader(DiskCache.open(cacheDir, refuses, counters), this::tree).load(snapshot);

        assertEquals(0, treeRequests.get());
    }

    @Test
    void whatTheTreeAnswerLacksIsFetchedAfterwards() throws IOException {
        DiskCache disk = DiskCache.open(cacheDir, objects, counters);
        MetadataLoader.TreeFetcher partial = (id, sink) -> {
            treeRequests.incrementAndGet();
            for (Digest d : objects.metadata) {
                boolean drop = d.equals(big.content());
                sink.accept(new BatchStream.Item(d, drop ? null : Compression.compress(objects.objects.get(d))));
            }
        };

        SnapshotTree tree = new MetadataLoader(disk, partial).load(snapshot);

        assertEquals(5, tree.chunks(big).size());
        assertEquals(1, objects.gets.get());
    }

    @Test
    void aCorruptTreeItemIsDroppedAndFetchedAgain() throws IOException {
        DiskCache disk = DiskCache.open(cacheDir, objects, counters);
        MetadataLoader.TreeFetcher lying = (id, sink) -> {
            for (Digest d : objects.metadata) {
                byte[] raw = d.equals(big.content()) ? new byte[] {0} : objects.objects.get(d);
                sink.accept(new BatchStream.Item(d, Compression.compress(raw)));
            }
        };

        SnapshotTree tree = new MetadataLoader(disk, lying).load(snapshot);

        assertEquals(5, tree.chunks(big).size());
        assertEquals(1, objects.gets.get());
    }
}
