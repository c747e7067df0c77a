package dev.stackshare.client;

import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.ProtocolException;
import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the snapshot to mount. The server is always asked (so a wrong token or a collected
 * snapshot is reported), but records are kept in {@code CACHE/snapshots/ID.json} (the user's own
 * cache dir, never a shared one: a record is not verifiable by digest): snapshots are
 * immutable, so when the server cannot be reached at all, a snapshot mounted before by id mounts
 * again from the cache.
 */
final class SnapshotResolver {
    private static final Logger log = LoggerFactory.getLogger(SnapshotResolver.class);

    private final ServerClient client;
    private final Path records;

    /** {@code records} is the user's own {@link CacheDir#snapshots()}, never a shared directory. */
    SnapshotResolver(ServerClient client, Path records) {
        this.client = client;
        this.records = records;
    }

    Snapshot resolve(String idOrViewName) throws IOException {
        try {
            Snapshot snapshot = client.snapshot(idOrViewName);
            remember(snapshot);
            return snapshot;
        } catch (ClientException e) {
            Snapshot cached = e.unreachable() && Snapshot.isId(idOrViewName) ? recall(idOrViewName) : null;
            if (cached == null) {
                throw e;
            }
            log.warn("{}; mounting snapshot {} from the local cache", e.getMessage(), idOrViewName);
            return cached;
        }
    }

    private void remember(Snapshot snapshot) {
        Path file = records.resolve(snapshot.id() + ".json");
        try {
            if (Files.exists(file)) {
                return;
            }
            CacheDir.createPrivateDirectories(records);
            Path temp = Files.createTempFile(records, DiskCache.TEMP_PREFIX, ".json");
            try {
                Files.write(temp, Json.write(snapshot));
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            // Only the offline fallback needs the record; a mount works without it.
            log.debug("cannot keep snapshot record {}: {}", file, e.getMessage());
        }
    }

    private Snapshot recall(String id) {
        try {
            return Json.read(Files.readAllBytes(records.resolve(id + ".json")), Snapshot.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (ProtocolException e) {
            log.warn("ignoring unreadable cached snapshot record {}: {}", id, e.getMessage());
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
