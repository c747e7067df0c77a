package dev.stackshare.cli;

import dev.stackshare.cli.RecordedEnvironment.Action;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code serve --dry-run} shows: each root, its kind, its size and why it is exported; then
 * each variable the recorded environment drops, changes or keeps by --keep-env, and by which rule.
 */
final class DryRun {
    private DryRun() {
    }

    /** Names and rules only: a value may be the very secret a rule is there to keep in. */
    static void print(RecordedEnvironment.Capture capture, PrintWriter out) {
        out.printf("%n%-8s %-32s %s%n", "ENV", "VARIABLE", "RULE (values not shown)");
        for (RecordedEnvironment.Change c : capture.changes()) {
            String rule = c.action() == Action.KEPT ? "--keep-env (else " + c.rule() + ")" : c.rule();
            out.printf("%-8s %-32s %s%n", c.action().name().toLowerCase(Locale.ROOT), c.name(), rule);
        }
        Map<Action, Long> counts = capture.changes().stream().collect(Collectors.groupingBy(
                RecordedEnvironment.Change::action, () -> new EnumMap<>(Action.class), Collectors.counting()));
        out.printf("%d variables recorded: %d dropped, %d changed, %d kept by --keep-env%n", capture.recorded().size(),
                counts.getOrDefault(Action.DROPPED, 0L), counts.getOrDefault(Action.CHANGED, 0L),
                counts.getOrDefault(Action.KEPT, 0L));
        out.flush();
    }

    static void print(List<EnvironmentCapture.Root> roots, PrintWriter out) {
        out.printf("%-6s %9s %10s  %-40s %s%n", "KIND", "FILES", "SIZE", "ROOT", "WHY");
        long files = 0;
        long bytes = 0;
        for (EnvironmentCapture.Root r : roots) {
            long[] size = size(r.path());
            files += size[0];
            bytes += size[1];
            String kind = Files.exists(r.path().resolve(".git"), LinkOption.NOFOLLOW_LINKS) ? "live" : "stable";
            out.printf("%-6s %9d %10s  %-40s %s%n", kind, size[0], Sizes.human(size[1]), r.path(), r.reason());
        }
        out.printf("%d roots, %d files, %s%n", roots.size(), files, Sizes.human(bytes));
        out.flush();
    }

    /** Files and bytes under a root, as the scanner would count them (no symlinks followed, .git left out). */
    private static long[] size(Path root) {
        long[] count = new long[2];
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return dir.getFileName() != null && dir.getFileName().toString().equals(".git") && !dir.equals(root)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        count[0]++;
                        count[1] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return count;
    }
}
