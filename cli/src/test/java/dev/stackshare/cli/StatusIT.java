package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `stackshare status` on a node: a live mount with what it fetched, then the same mount stale once its process is killed. */
class StatusIT {
    @TempDir
    Path base;
    private ServeProcess serve;
    private Path mnt;

    @AfterEach
    void stop() throws Exception {
        if (mnt != null) {
            Sh.run(List.of(CliIT.LAUNCHER.toString(), "unmount", mnt.toString()), Map.of(), 60);
        }
        if (serve != null) {
            serve.close();
        }
    }

    @Test
    void showsEachMountWithWhatItFetchedAndAStaleOneAsStale() throws Exception {
        Path tree = Files.createDirectories(base.resolve("tree"));
        for (int i = 0; i < 5; i++) {
            Files.writeString(tree.resolve("f" + i + ".txt"), "file " + i + "\n".repeat(i + 1));
        }
        Path state = base.resolve("state");
        serve = ServeProcess.start(tree, state, 0, base.resolve("serve.log"));
        String url = serve.url();
        Path cache = base.resolve("cache");
        mnt = Files.createDirectories(base.resolve("mnt"));
        Sh.Result mount = Sh.run(List.of(CliIT.LAUNCHER.toString(), "mount", "--server", url, "--token-file",
                state.resolve("token").toString(), "--cache-dir", cache.toString(), mnt.toString()), Map.of(), 120);
        assertEquals(0, mount.exit(), mount.toString());
        for (int i = 0; i < 5; i++) {
            assertTrue(Files.readString(mnt.resolve(tree.toString().substring(1)).resolve("f" + i + ".txt")).startsWith("file " + i));
        }
        Thread.sleep(6_000); // the mount reports every 5 s

        JsonNode live = status(cache);
        JsonNode ours = mountOf(live, mnt);
        assertEquals("live", ours.get("state").asText(), live.toPrettyString());
        JsonNode report = ours.get("report");
        assertTrue(report.get("snapshot").asText().matches("[0-9a-f]{16}"), report.toPrettyString());
        assertEquals(url, report.get("servers").get(0).asText());
        assertTrue(report.get("stats").get("objectsFetched").asLong() >= 5, report.toPrettyString());
        assertEquals(0, report.get("stats").get("fetchesGivenUp").asLong(), "no read failed");
        assertTrue(live.get("node").get("cache").get("objects").asLong() >= 5, live.toPrettyString());
        assertTrue(!Files.readString(cache.resolve("mounts").toFile().listFiles()[0].toPath()).contains(
                Files.readString(state.resolve("token")).strip()), "the report never holds the token");

        Sh.Result host = Sh.run(List.of(CliIT.LAUNCHER.toString(), "status", "--json", "--state-dir", state.toString(),
                "--cache-dir", cache.toString()), Map.of(), 60);
        assertEquals(0, host.exit(), host.toString());
        JsonNode server = new ObjectMapper().readTree(host.out()).get("host");
        assertEquals(url, server.get("url").asText());
        assertEquals(tree.toString(), server.get("roots").get(0).asText());
        assertEquals(report.get("snapshot").asText(), server.get("views").get("default").asText());
        assertEquals(1, server.get("snapshotsUsedLastHour").asLong(), "the mount fetched its tree");
        assertTrue(server.get("stats").get("objectsServed").asLong() >= 5, server.toPrettyString());
        assertTrue(server.get("stats").get("openConnections").asLong() >= 1, "the live mount keeps one open");

        long pid = report.get("pid").asLong();
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
        assertEquals("stale: its process is gone", mountOf(status(cache), mnt).get("state").asText());

        Sh.Result text = Sh.run(List.of(CliIT.LAUNCHER.toString(), "status", "--cache-dir", cache.toString()), Map.of(), 60);
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.out().contains("mount " + mnt + ": stale: its process is gone"), text.out());
    }

    private static JsonNode status(Path cache) throws Exception {
        Sh.Result r = Sh.run(List.of(CliIT.LAUNCHER.toString(), "status", "--json", "--cache-dir", cache.toString()),
                Map.of(), 60);
        assertEquals(0, r.exit(), r.toString());
        return new ObjectMapper().readTree(r.out());
    }

    private static JsonNode mountOf(JsonNode status, Path mnt) {
        for (JsonNode m : status.get("node").get("mounts")) {
            if (m.get("mountpoint").asText().equals(mnt.toString())) {
                return m;
            }
        }
        throw new AssertionError("no mount " + mnt + " in " + status.toPrettyString());
    }
}
