package dev.stackshare.cli;

import dev.stackshare.client.MountOptions;
import dev.stackshare.client.MountedSnapshot;
import dev.stackshare.client.Mounter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
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
            "A stale mount left by a killed client on MOUNTPOINT is cleaned up first. Your own",
            "live mount of the same snapshot on MOUNTPOINT is used as it is (and stops lingering,",
            "see `unmount --linger`); a lingering one of another snapshot is replaced.",
            "",
            "Start-up: the first open in a directory fetches that directory's small files in one",
            "request. With --record-trace the mount notes which objects the job reads and, at",
            "unmount, publishes that trace for the snapshot; every later mount of the snapshot",
            "(on any node) fetches the traced objects in one request while the job starts.",
            "",
            "Fan-out: --server takes several URLs, comma-separated, HTTP caches first",
            "and the origin (the URL `stackshare serve` printed) last. Objects, trees,",
            "directory batches and packs come from the first that answers; on a",
            "connection error or a 5xx answer the next is asked, and the failed one is",
            "passed over for 2 s (doubling, at most 60 s). View look-ups (`latest`) and",
            "trace uploads always go to the origin. See docs/operations.md,",
            "\"Fan-out through an HTTP cache\".",
            "",
            "Faults: a read of content no cache holds waits while the server is away (restarting,",
            "a broken link), retrying with back-off, for up to --fetch-deadline; then it fails with",
            "EIO and one log line naming the file and object. What is cached keeps being served.",
        })
final class MountCommand implements Callable<Integer> {
    /** {@code --memory-cache-mb}'s default: a bound fitted to the heap the snapshot's metadata leaves. */
    static final String FITTED = "auto";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "An existing, empty directory.")
    Path mountpoint;

    @Mixin
    ServerOptions serverOptions;

    @Option(names = "--memory-cache-mb", paramLabel = "MB", defaultValue = FITTED,
            description = "MB of objects kept in memory, or auto (the default): half of the heap the snapshot's "
                    + "metadata leaves, 32 to 128 MB, enough to keep a stack's working set for the next job.")
    String memoryCacheMb;

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "10G",
            description = "Bound of the node's disk cache, e.g. 500M, 20G (default: ${DEFAULT-VALUE}); past it the least "
                    + "recently used objects are deleted. A soft bound: mounts inserting at once may pass it briefly.")
    String cacheSize;

    @Option(names = "--record-trace",
            description = "Record which objects the job reads and publish that trace for the snapshot at unmount, "
                    + "so later mounts of it (and of later snapshots of its view, until they have their own) "
                    + "fetch them up front.")
    boolean recordTrace;

    @Option(names = "--no-trace-prefetch",
            description = "Do not fetch the snapshot's published trace at mount.")
    boolean noTracePrefetch;

    @Mixin
    FetchDeadlineOption fetchDeadline;

    @Option(names = "--foreground",
            description = "Stay in the foreground and keep the filesystem in this process until it is unmounted or the process is stopped.")
    boolean foreground;

    @Option(names = "--ready-file", hidden = true,
            description = "Internal: where a background mount process reports readiness to its parent.")
    Path readyFile;

    @Option(names = "--ready-fd", hidden = true,
            description = "Internal: the launcher's descriptor to say the mount is ready on; this process is the mount's.")
    Integer readyFd;

    @Override
    public Integer call() throws IOException, InterruptedException {
        MountOptions options = options();
        if (readyFd != null) {
            return detached(options);
        }
        Optional<Mounter.Reused> reused = foreground ? Optional.empty() : Mounter.reuse(options);
        if (reused.isPresent()) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(keptLine(reused.get()));
            out.flush();
            return 0;
        }
        if (!foreground) {
            BackgroundMount.Result result = BackgroundMount.start(options, memoryCacheMb, cacheSize, fetchDeadline.text);
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

    /** The launcher's mount: this process mounts and serves; see {@link DetachedMount}. */
    private int detached(MountOptions options) throws IOException, InterruptedException {
        DetachedMount detached = new DetachedMount(readyFd);
        MountedSnapshot mounted;
        try {
            Optional<Mounter.Reused> reused = Mounter.reuse(options);
            if (reused.isPresent()) {
                detached.ready(keptLine(reused.get()));
                return 0;
            }
            detached.logTo(BackgroundMount.logFile(options));
            mounted = Mounter.mount(options);
        } catch (IOException | RuntimeException e) {
            detached.failed();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(mounted::close, "stackshare-unmount"));
        detached.ready("mounted " + mounted.snapshot().id() + " at " + mounted.mountpoint() + " (process "
                + ProcessHandle.current().pid() + ", log " + BackgroundMount.logFile(options) + ")");
        mounted.awaitUnmounted();
        return 0;
    }

    private static String keptLine(Mounter.Reused reused) {
        return "mounted " + reused.snapshotId() + " at " + reused.mountpoint() + " (the mount already there, kept for this job)";
    }

    /** {@code --memory-cache-mb}'s value in bytes: {@link MountOptions#MEMORY_CACHE_FITTED} for auto. */
    static long memoryCacheBytes(String mb) {
        if (FITTED.equals(mb)) {
            return MountOptions.MEMORY_CACHE_FITTED;
        }
        long value;
        try {
            value = Long.parseLong(mb.strip());
        } catch (NumberFormatException e) {
            throw new UserError("--memory-cache-mb takes a number of MB or auto, got '" + mb + "'");
        }
        if (value < 1 || value > Long.MAX_VALUE >> 20) {
            throw new UserError("--memory-cache-mb must be at least 1, got " + mb);
        }
        return value << 20;
    }

    private MountOptions options() throws IOException {
        long cacheBytes = Sizes.parse("--cache-size", cacheSize);
        return new MountOptions(serverOptions.urls(), serverOptions.token(), serverOptions.snapshot,
                serverOptions.cache(), Paths.absolute(mountpoint), memoryCacheBytes(memoryCacheMb))
                .withCacheSize(cacheBytes).withTrace(recordTrace, !noTracePrefetch)
                .withFetchDeadline(fetchDeadline.value());
    }
}
