package dev.stackshare.client;

import dev.stackshare.protocol.Json;
import dev.stackshare.protocol.ProtocolException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mount reports of one user's cache dir: {@code CACHE/mounts/NAME.json}, one per mount,
 * NAME made from the mountpoint. Each is replaced whole (temporary file and rename), so a reader
 * never sees half of one.
 */
public final class MountReports {
    private static final Logger log = LoggerFactory.getLogger(MountReports.class);
    static final String DIR = "mounts";

    private final Path dir;

    public MountReports(Path dir) {
        this.dir = dir;
    }

    /** The reports of the cache dir {@code cacheDir} (private or shared: the user's own part). */
    public static MountReports of(Path cacheDir) throws IOException {
        return new MountReports(CacheDir.open(cacheDir).mounts());
    }

    Path fileFor(Path mountpoint) {
        return fileFor(mountpoint, ".json");
    }

    /** A file of this mount's beside its report, named as the report is with another suffix. */
    Path fileFor(Path mountpoint, String suffix) {
        String name = mountpoint.toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return dir.resolve((name.length() > 120 ? name.substring(name.length() - 120) : name) + suffix);
    }

    void write(MountReport report) throws IOException {
        Files.createDirectories(dir);
        Path target = fileFor(Path.of(report.mountpoint()));
        Path temp = Files.createTempFile(dir, ".tmp-", ".json");
        try {
            Files.write(temp, Json.write(report));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    void remove(Path mountpoint) throws IOException {
        Files.deleteIfExists(fileFor(mountpoint));
    }

    /** Every report in the dir; unreadable ones are skipped with a debug line. */
    public List<MountReport> readAll() throws IOException {
        List<MountReport> reports = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                try {
                    reports.add(Json.read(Files.readAllBytes(file), MountReport.class));
                } catch (ProtocolException | NoSuchFileException e) {
                    log.debug("skipping mount report {}: {}", file, e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return reports;
    }

    /** Writes one mount's report on demand: scheduled every few seconds by the mount, and once more at the end. */
    static final class Writer {
        private final MountReports reports;
        private final Path mountpoint;
        private final String snapshot;
        private final List<String> servers;
        private final Supplier<ClientStats> stats;
        private final Clock clock;
        private final Instant startedAt;

        Writer(MountReports reports, Path mountpoint, String snapshot, List<String> servers, Supplier<ClientStats> stats,
               Clock clock) {
            this.reports = reports;
            this.mountpoint = mountpoint;
            this.snapshot = snapshot;
            this.servers = List.copyOf(servers);
            this.stats = stats;
            this.clock = clock;
            this.startedAt = clock.instant();
        }

        void write() {
            try {
                reports.write(new MountReport(mountpoint.toString(), snapshot, servers, ProcessHandle.current().pid(),
                        startedAt, clock.instant(), stats.get()));
            } catch (IOException | RuntimeException e) {
                log.debug("cannot write the mount report of {}: {}", mountpoint, e.toString());
            }
        }

        void remove() {
            try {
                reports.remove(mountpoint);
            } catch (IOException e) {
                log.debug("cannot remove the mount report of {}: {}", mountpoint, e.toString());
            }
        }
    }
}
