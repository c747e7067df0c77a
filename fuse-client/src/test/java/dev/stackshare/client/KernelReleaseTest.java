package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelReleaseTest {
    @Test
    void opensWithoutAskingFromLinux51On() {
        assertEquals(new KernelRelease(6, 1), KernelRelease.parse("6.1.0-27-amd64"));
        assertTrue(KernelRelease.parse("5.1.0").opensWithoutAsking());
        assertTrue(KernelRelease.parse("5.14.0-427.el9.x86_64").opensWithoutAsking());
        assertTrue(KernelRelease.parse("6.18.44-fc-v669").opensWithoutAsking());
        assertFalse(KernelRelease.parse("5.0.21").opensWithoutAsking());
        assertFalse(KernelRelease.parse("4.18.0-553.el8_10.x86_64").opensWithoutAsking());
        assertFalse(KernelRelease.parse("3.10.0-1160.el7.x86_64").opensWithoutAsking());
        assertFalse(KernelRelease.parse("not a release").opensWithoutAsking());
        assertEquals(KernelRelease.UNKNOWN, KernelRelease.parse(""));
    }
}
