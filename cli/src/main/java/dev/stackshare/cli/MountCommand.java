package dev.stackshare.cli;

import dev.stackshare.client.MountOptions;
import dev.stackshare.client.MountedSnapshot;
import dev.stackshare.client.Mounter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "mount",
        mixinStandardHelpOptions = true,
        description = {
            "Mount a snapshot read-only at MOUNTPOINT; each exported root appears under its",
            "original absolute path inside it.",
            "",
            "Returns once the mount is ready; the filesystem keeps running in a background",
            "process (its log is under the cache dir) until `stackshare unmount MOUNTPOINT`.",
            "Only metadata is fetched at mount; file content is fetched when read, verified",
            "against its digest, and kept in the on-disk cache for the next mount on the node.",
            "A stale mount left by a killed client on MOUNTPOINT is cleaned up first.",
            "",
            "Start-up: the first open in a directory fetches that directory's small files in one",
            "request. With --record-trace the mount notes which objects the job reads and, at",
            "unmount, publishes that trace for the snapshot; every later mount of the snapshot",
            "(on any node) fetches the traced objects in one request while the job starts.",
            "",
            "Faults: a read of content no cache holds waits while the server is away (restarting,",
            "a broken link), retrying with back-off, for up to --fetch-deadline; then it fails with",
            "EIO and one log line naming the file and object. What is cached keeps being served.",
        })
final class MountCommand implements Callable<Integer> {
    static final long DEFAULT_MEMORY_CACHE_MB = MountOptions.DEFAULT_MEMORY_CACHE_BYTES >> 20;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "An existing, empty directory.")
    Path mountpoint;

    @Mixin
    ServerOptions serverOptions;

    @Option(names = "--memory-cache-mb", paramLabel = "MB", defaultValue = "" + DEFAULT_MEMORY_CACHE_MB,
            description = "Bytes of objects kept in memory (default: ${DEFAULT-VALUE} MB).")
    long memoryCacheMb;

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "10G",
            description = "Bound of the node's disk cache, e.g. 500M, 20G (default: ${DEFAULT-VALUE}); past it the least "
                    + "recently used objects are deleted. A soft bound: mounts inserting at once may pass it briefly.")
    String cacheSize;

    @Option(names = "--record-trace",
            description = "Record which objects the job reads and publish that trace for the snapshot at unmount, "
                    + "so later mounts of it fetch them up front.")
    boolean recordTrace;

    @Option(names = "--no-trace-prefetch",
            description = "Do not fetch the snapshot's published trace at mount.")
    boolean noTracePrefetch;

    @Option(names = "--fetch-deadline", paramLabel = "DURATION", defaultValue = "120s",
            description = "How long a read waits for content while the server cannot be reached or answers badly, "
                    + "e.g. 30s, 5m (default: ${DEFAULT-VALUE}); after it the read fails with EIO.")
    String fetchDeadline;

    @Option(names = "--foreground",
            description = "Stay in the foreground and keep the filesystem in this process until it is unmounted or the process is stopped.")
    boolean foreground;

    @Option(names = "--ready-file", hidden = true,
            description = "Internal: where a background mount process reports readiness to its parent.")
    Path readyFile;

    @Override
    public Integer call() throws IOException, InterruptedException {
        MountOptions options = options();
        if (!foreground) {
            BackgroundMount.Result result = BackgroundMount.start(options, memoryCacheMb, cacheSize, fetchDeadline);
            PrintWriter out = spec.commandLine().getOut();
            out.println("mounted " + result.snapshotId() + " at " + options.mountpoint()
                    + " (process " + result.pid() + ", log " + result.log() + ")");
            out.flush();
            return 0;
        }
        MountedSnapshot mounted;
        try {
            mounted = Mounter.mount(options);
        } catch (IOException | RuntimeException e) {
            ReadyFile.reportFailure(readyFile, e);
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(mounted::close, "stackshare-unmount"));
        ReadyFile.reportReady(readyFile, mounted.snapshot().id());
        PrintWriter out = spec.commandLine().getOut();
        out.println("mounted " + mounted.snapshot().id() + " at " + mounted.mountpoint() + "; unmount with `stackshare unmount "
                + mounted.mountpoint() + "` or Ctrl-C");
        out.flush();
        mounted.awaitUnmounted();
        return 0;
    }

    private MountOptions options() throws IOException {
        if (memoryCacheMb < 1) {
            throw new UserError("--memory-cache-mb must be at least 1, got " + memoryCacheMb);
        }
        long cacheBytes = Sizes.parse("--cache-size", cacheSize);
        return new MountOptions(serverOptions.url(), serverOptions.token(), serverOptions.snapshot,
                serverOptions.cache(), Paths.absolute(mountpoint), memoryCacheMb * 1024 * 1024)
                .withCacheSize(cacheBytes).withTrace(recordTrace, !noTracePrefetch)
                .withFetchDeadline(parseDeadline(fetchDeadline));
    }

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)?");

    /** A positive duration: a number with an optional unit (ms, s, m, h); seconds without one. */
    static Duration parseDeadline(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UserError("--fetch-deadline wants a positive number with an optional unit (ms, s, m, h), like 120s "
                    + "or 5m; got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
