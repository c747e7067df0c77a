package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountTableTest {
    private static final String TABLE = String.join("\n",
            "proc /proc proc rw,relatime 0 0",
            "stackshare /mnt/with\\040space fuse.stackshare ro,nosuid,nodev,relatime,user_id=0,group_id=0 0 0",
            "/dev/sda1 /data\\011tab\\134back ext4 rw 0 0",
            "stackshare /mnt/ss fuse.stackshare ro 0 0",
            "tmpfs /mnt/ss tmpfs rw 0 0",
            "");

    @Test
    void parsesFieldsAndOctalEscapes() {
        List<MountTable.Mount> mounts = MountTable.parse(TABLE);
        assertEquals(5, mounts.size());
        assertEquals(new MountTable.Mount("stackshare", Path.of("/mnt/with space"), "fuse.stackshare",
                "ro,nosuid,nodev,relatime,user_id=0,group_id=0"), mounts.get(1));
        assertEquals(Path.of("/data\ttab\\back"), mounts.get(2).mountpoint());
    }

    @Test
    void findsTheTopmostMountOnAPath() {
        List<MountTable.Mount> mounts = MountTable.parse(TABLE);
        assertEquals("tmpfs", MountTable.find(mounts, Path.of("/mnt/ss")).orElseThrow().type());
        assertFalse(MountTable.find(mounts, Path.of("/mnt")).isPresent());
    }

    @Test
    void leavesOtherBackslashesAlone() {
        assertEquals("a\\x", MountTable.unescape("a\\x"));
        assertEquals("a\\04", MountTable.unescape("a\\04"));
        assertEquals("a b", MountTable.unescape("a\\040b"));
    }

    @Test
    void recognisesStackshareMounts() {
        List<MountTable.Mount> mounts = MountTable.parse(TABLE);
        assertTrue(Mounts.isStackshare(mounts.get(1)));
        assertFalse(Mounts.isStackshare(mounts.get(2)));
    }

    @Test
    void canonicalResolvesTheParentButNotTheLeaf(@TempDir Path tmp) throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertEquals(real.toRealPath().resolve("mnt"), MountTable.canonical(link.resolve("mnt")));
        assertEquals(real.toRealPath().resolve("mnt"), MountTable.canonical(link.resolve("x/../mnt")));
    }

    @Test
    void readsTheRealTable() throws Exception {
        assertTrue(MountTable.find(MountTable.read(), Path.of("/proc")).isPresent());
    }
}
