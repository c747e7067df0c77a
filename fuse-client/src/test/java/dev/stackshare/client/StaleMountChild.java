package dev.stackshare.client;

import dev.stackshare.protocol.Snapshot;
import java.nio.file.Path;

/** Run in a child JVM by {@link MounterIT}: mounts a tiny snapshot, says so, and waits to be killed with -9. */
public final class StaleMountChild {
    private StaleMountChild() {
    }

    public static void main(String[] args) throws Exception {
        TestSnapshot objects = new TestSnapshot();
        Snapshot snapshot = objects.snapshot("0123456789abcdef", objects.file("f", 0644, "x".getBytes()));
        Counters counters = new Counters();
        Mounter.start(SnapshotTree.build(snapshot, objects), objects, Path.of(args[0]), counters);
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
