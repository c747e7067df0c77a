package dev.stackshare.cli;

import dev.stackshare.protocol.Snapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "publish",
        mixinStandardHelpOptions = true,
        description = {
            "Take a new snapshot of the running server's roots and print its id.",
            "",
            "Finds the server through the state dir (server.json and token), so run it as the",
            "user who runs `stackshare serve`. The id is the last line on stdout, so",
            "  ID=$(stackshare publish | tail -n 1)",
            "works in scripts; the line before it can be pasted into a job script.",
            "",
            "Only files whose size, times, inode or mode changed since the last publish are read",
            "again (the server keeps an index in its state dir). On stderr: a progress bar when",
            "it is a terminal and the publish takes more than a moment, then one summary line.",
        })
final class PublishCommand implements Callable<Integer> {
    /** A publish of a big stack may hash for a while; it is still bounded. */
    private static final Duration PUBLISH_TIMEOUT = Duration.ofMinutes(30);

    @Spec
    CommandSpec spec;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State dir of the running server (default: ${XDG_STATE_HOME:-~/.local/state}/stackshare).")
    Path stateDir;

    @Option(names = "--view", paramLabel = "NAME",
            description = "View the snapshot belongs to (default: the server's view).")
    String view;

    @Override
    public Integer call() throws IOException {
        LocalServer.Found server = LocalServer.find(stateDir, PUBLISH_TIMEOUT);
        String checkedView = view == null ? null : Views.check(view);
        PublishProgressBar bar = PublishProgressBar.forStderr(spec.commandLine().getErr(), System.getenv());
        long start = System.nanoTime();
        Snapshot snapshot;
        try {
            snapshot = server.client().publish(checkedView, bar);
        } catch (IOException | RuntimeException e) {
            bar.finish(false, 0);
            throw e;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        bar.finish(true, millis);
        long files = snapshot.roots().stream().mapToLong(Snapshot.Root::files).sum();
        long bytes = snapshot.roots().stream().mapToLong(Snapshot.Root::bytes).sum();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("published snapshot %s of view %s: %d roots, %d files, %s in %d ms%n",
                snapshot.id(), snapshot.view(), snapshot.roots().size(), files, Sizes.human(bytes), millis);
        out.println("export STACKSHARE_SERVER=" + server.url() + " STACKSHARE_SNAPSHOT=" + snapshot.id());
        out.println(snapshot.id());
        out.flush();
        return 0;
    }
}
