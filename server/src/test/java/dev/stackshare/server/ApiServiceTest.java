package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServiceTest {
    @TempDir
    Path tmp;

    private ApiService service() throws IOException {
        return serviceIn(tmp);
    }

    /** A service over an empty state in {@code tmp}, without publisher; the request fuzzer uses it too. */
    static ApiService serviceIn(Path tmp) throws IOException {
        FrozenStore store = FrozenStore.open(tmp.resolve("objects"));
        SnapshotStore snapshots = SnapshotStore.open(tmp.resolve("snapshots"), tmp.resolve("views"));
        StableLocations stable = new StableLocations();
        java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        SnapshotUsage usage = SnapshotUsage.open(tmp.resolve("usage"), java.time.Clock.systemUTC());
        SnapshotCatalog catalog = new SnapshotCatalog(snapshots, store, usage,
                new GarbageCollector(snapshots, store, stable, usage, lock, java.time.Clock.systemUTC()));
        return new ApiService(new ObjectLookup(store, stable), store, snapshots, null, "default",
                new Counters(), catalog);
    }

    private static byte[] lines(int count) {
        String line = Digest.of(new byte[0]).hex() + "\n";
        return line.repeat(count).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void batchOfTheMaximumSizeIsAccepted() throws Exception {
        Answer answer = service().answer(new ApiRequest.Batch(lines(BatchStream.MAX_BATCH_DIGESTS)));
        assertInstanceOf(Answer.Stream.class, answer);
    }

    @Test
    void batchOfOneDigestTooManyIsRefused() throws IOException {
        ApiService service = service();
        ApiError e = assertThrows(ApiError.class,
                () -> service.answer(new ApiRequest.Batch(lines(BatchStream.MAX_BATCH_DIGESTS + 1))));
        assertEquals(400, e.status());
        assertEquals("too-many-digests", e.code());
    }

    @Test
    void emptyBatchIsAnEmptyStream() throws Exception {
        Answer.Stream answer = (Answer.Stream) service().answer(new ApiRequest.Batch(new byte[0]));
        assertEquals(null, answer.items().next());
    }

    @Test
    void publishBodyThatIsNotJsonIsABadRequest() throws IOException {
        ApiService service = service();
        ApiError e = assertThrows(ApiError.class,
                () -> service.answer(new ApiRequest.Publish("view=x".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(400, e.status());
    }

    @Test
    void aTraceAnswerNamesTheSnapshotItWasRecordedOn() throws Exception {
        SnapshotStore snapshots = SnapshotStore.open(tmp.resolve("snapshots"), tmp.resolve("views"));
        Digest read = Digest.of(new byte[] {7});
        snapshots.add(new Snapshot("000000000000000a", "default", Instant.ofEpochSecond(10),
                Chunking.DEFAULT_CHUNK_SIZE, read, List.of(), Map.of()));
        snapshots.add(new Snapshot("000000000000000b", "default", Instant.ofEpochSecond(20),
                Chunking.DEFAULT_CHUNK_SIZE, read, List.of(), Map.of()));
        snapshots.addTrace("000000000000000a", List.of(read), 10);
        ApiService service = service();
        Answer.Full answer = (Answer.Full) service.answer(new ApiRequest.GetTrace("000000000000000b"));
        assertEquals(read.hex() + "\n", new String(answer.body(), StandardCharsets.US_ASCII));
        assertEquals("000000000000000a", answer.headers().get(Api.TRACE_OF_HEADER));
    }
}
