package dev.stackshare.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The developer's loop: edit one file of the working tree, then `stackshare publish`. The
 * suite works on its own copy of the working tree, so the user's files are never touched.
 */
final class PublishScenario implements Scenario {
    @Override
    public String name() {
        return "publish-after-edit";
    }

    @Override
    public boolean networked() {
        return false;
    }

    @Override
    public Measurement run(BenchContext ctx, double rttMillis, int repetition) throws Exception {
        StackshareHost host = ctx.stackshare();
        Path target;
        try (Stream<Path> files = Files.walk(ctx.config.worktree())) {
            target = files.filter(p -> p.toString().endsWith(".txt") || p.toString().endsWith(".py"))
                    .filter(p -> !p.toString().contains("/.git/")).findFirst()
                    .orElseThrow(() -> new BenchException("no .py or .txt file to edit in " + ctx.config.worktree()));
        }
        // A comment line: the job still runs the same.
        Files.writeString(target, "\n# bench edit " + repetition + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Proc.Result r = Proc.run(List.of(ctx.config.launcher().toString(), "publish", "--state-dir",
                host.stateDir().toString()), Map.of(), 600).requireOk("stackshare publish");
        host.published();
        return new Measurement(name(), rttMillis, repetition, r.seconds(), 0, 0, 0, 0, 0);
    }
}
