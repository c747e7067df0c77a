package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.client.MountOptions;
import dev.stackshare.client.MountedSnapshot;
import dev.stackshare.client.Mounter;
import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Snapshot;
import dev.stackshare.server.ServerConfig;
import dev.stackshare.server.StackshareServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot never changes: edits after a publish show only in the next snapshot. */
class SnapshotImmutabilityIT {
    @TempDir
    Path base;

    @Test
    void editsAddsAndDeletesAfterPublishDoNotChangeTheEarlierSnapshot() throws Exception {
        Path wt = base.resolve("wt");
        Trees.worktree(wt);
        try (StackshareServer server = StackshareServer.start(new ServerConfig(List.of(wt),
                new InetSocketAddress("127.0.0.1", 0), base.resolve("state"), Api.DEFAULT_VIEW))) {
            String token = Files.readString(server.tokenFile()).strip();
            Snapshot first = server.firstSnapshot();

            Files.writeString(wt.resolve("mypkg/core.py"), "MARKER = 'second-edit'\n");
            Files.writeString(wt.resolve("mypkg/added.py"), "ADDED = True\n");
            Files.delete(wt.resolve("NOTES.txt"));
            Snapshot second = server.publish(Api.DEFAULT_VIEW);
            assertNotEquals(first.id(), second.id());
            // the developer keeps editing after the second publish too
            Files.writeString(wt.resolve("mypkg/core.py"), "MARKER = 'third-edit-not-published'\n");

            Path cache = base.resolve("cache");
            try (MountedSnapshot old = mount(server, token, first.id(), cache);
                 MountedSnapshot now = mount(server, token, Api.LATEST, cache)) {
                Path oldWt = old.mountpoint().resolve(wt.toString().substring(1));
                Path newWt = now.mountpoint().resolve(wt.toString().substring(1));
                assertEquals(second.id(), now.snapshot().id(), "latest is the newest snapshot");

                assertTrue(Files.readString(oldWt.resolve("mypkg/core.py")).contains(Trees.MARKER));
                assertTrue(Files.exists(oldWt.resolve("NOTES.txt")));
                assertFalse(Files.exists(oldWt.resolve("mypkg/added.py")));

                assertEquals("MARKER = 'second-edit'\n", Files.readString(newWt.resolve("mypkg/core.py")));
                assertFalse(Files.exists(newWt.resolve("NOTES.txt")));
                assertEquals("ADDED = True\n", Files.readString(newWt.resolve("mypkg/added.py")));
            }
        }
    }

    private static MountedSnapshot mount(StackshareServer server, String token, String snapshot, Path cache)
            throws Exception {
        Path mnt = Files.createTempDirectory(cache.getParent(), "mnt");
        return Mounter.mount(new MountOptions(server.url(), token, snapshot, cache, mnt, 16L << 20));
    }
}
