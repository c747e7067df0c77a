package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackshare.bench.StackTreeGenerator;
import dev.stackshare.protocol.Chunking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `stackshare bench` end to end on a small generated stack: local disk, and stackshare cold, over
 * a node cache, and trace-prefetched, one run each through the delaying relay, with a publish
 * after an edit between them (so the trace must be recorded again for the new snapshot). Each run's job
 * must succeed and print its marker; the figures must say what the scenario is (a cold job and
 * a trace-prefetched one fetched the library the job read, a job over a filled node cache
 * fetched no content), and the report must hold every scenario and the ratios.
 */
class BenchSuiteIT {
    @TempDir
    Path tmp;

    @Test
    void runsEachScenarioAndReportsWhatCameOverTheNetwork() throws Exception {
        Path stack = tmp.resolve("stack");
        StackTreeGenerator.generate(stack, 300, 5);
        byte[] big = new byte[3 * Chunking.DEFAULT_CHUNK_SIZE + 777];
        new Random(3).nextBytes(big);
        Files.write(stack.resolve("lib/libbig.so"), big);
        Path worktree = Files.createDirectories(tmp.resolve("worktree"));
        Files.writeString(worktree.resolve("mod.py"), "ANSWER = 42\n");
        Path out = tmp.resolve("results");
        String job = "cat {stack}/lib/libbig.so > /dev/null && find {stack} -type f -name '*.py' | head -40"
                + " | xargs cat > /dev/null && grep -q 'ANSWER = 42' {worktree}/mod.py && echo BENCH-JOB-OK";
        Sh.Result r = Sh.run(List.of(CliIT.LAUNCHER.toString(), "bench", "--stack", stack.toString(), "--worktree",
                worktree.toString(), "--job", job, "--expect", "BENCH-JOB-OK", "--reps", "1", "--rtt", "2",
                "--scenarios", "local-cold,stackshare-cold,stackshare-node-cache,stackshare-long-mount,publish-after-edit,stackshare-trace,"
                        + "fuse-passthrough-cold",
                "--out",
                out.toString()), Map.of(), 600);
        assertEquals(0, r.exit(), r.toString());

        String markdown = Files.readString(out.resolve("results.md"));
        for (String scenario : List.of("local-cold", "stackshare-cold", "stackshare-node-cache", "stackshare-long-mount",
                "stackshare-trace", "fuse-passthrough-cold")) {
            assertTrue(markdown.contains("| " + scenario + " |"), scenario + " missing from\n" + markdown);
        }
        assertTrue(markdown.contains("stackshare cold / local cold"), markdown);
        assertTrue(markdown.contains("The FUSE floor: fuse-passthrough-cold / local cold = "), markdown);
        assertTrue(markdown.contains("stackshare-long-mount / local cold = "), markdown);
        assertTrue(Files.size(out.resolve("chart.svg")) > 0);

        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode row : new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("rows")) {
            rows.put(row.get("scenario").asText(), row);
        }
        assertEquals(7, rows.size(), rows.toString());
        long libraryBytes = big.length;
        assertTrue(rows.get("stackshare-cold").get("networkBytes").asLong() > libraryBytes / 2,
                "a cold job fetches what it reads (compressed): " + rows.get("stackshare-cold"));
        assertTrue(rows.get("stackshare-trace").get("networkBytes").asLong() > libraryBytes / 2,
                "the trace prefetch brings what the recorded job read: " + rows.get("stackshare-trace"));
        assertTrue(rows.get("stackshare-trace").get("requests").asLong() < rows.get("stackshare-cold").get("requests").asLong(),
                "a trace of this snapshot brings the job's objects in fewer requests than reads do: " + rows);
        assertTrue(rows.get("stackshare-node-cache").get("networkBytes").asLong() < libraryBytes / 10,
                "a job over a filled node cache fetches no content: " + rows.get("stackshare-node-cache"));
        assertEquals(0, rows.get("stackshare-long-mount").get("requests").asLong(),
                "a later job through a mount that served the same job asks the server for nothing: "
                        + rows.get("stackshare-long-mount"));
        for (JsonNode row : rows.values()) { // publish-after-edit's is the command's time
            assertTrue(row.get("seconds").asDouble() > 0, row.toString());
        }
    }
}
