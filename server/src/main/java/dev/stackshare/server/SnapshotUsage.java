package dev.stackshare.server;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a client last fetched a snapshot's metadata (a mount), so gc keeps snapshots that jobs
 * are using. Kept as the mtime of {@code usage/ID}, so it survives a server restart; written at
 * most once a minute per snapshot, since many nodes mount at once.
 */
final class SnapshotUsage {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotUsage.class);
    private static final long WRITE_EVERY_SECONDS = 60;

    private final Path dir;
    private final Clock clock;
    private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();

    private SnapshotUsage(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    static SnapshotUsage open(Path dir, Clock clock) throws IOException {
        Files.createDirectories(dir);
        SnapshotUsage usage = new SnapshotUsage(dir, clock);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                usage.lastUsed.put(f.getFileName().toString(), Files.getLastModifiedTime(f).toInstant());
            }
        }
        return usage;
    }

    void touch(String id) {
        Instant now = clock.instant();
        Instant before = lastUsed.put(id, now);
        if (before == null || before.plusSeconds(WRITE_EVERY_SECONDS).isBefore(now)) {
            try {
                Path f = dir.resolve(id);
                if (!Files.exists(f)) {
                    Files.createFile(f);
                }
                Files.setLastModifiedTime(f, FileTime.from(now));
            } catch (IOException e) {
                LOG.warn("cannot record the use of snapshot {}: {}", id, e.getMessage());
            }
        }
    }

    Optional<Instant> lastUsed(String id) {
        return Optional.ofNullable(lastUsed.get(id));
    }

    void forget(String id) throws IOException {
        lastUsed.remove(id);
        Files.deleteIfExists(dir.resolve(id));
    }
}
