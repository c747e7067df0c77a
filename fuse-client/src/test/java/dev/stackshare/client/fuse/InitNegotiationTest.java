package dev.stackshare.client.fuse;

import static dev.stackshare.client.fuse.InitNegotiation.FUSE_ASYNC_READ;
import static dev.stackshare.client.fuse.InitNegotiation.FUSE_DO_READDIRPLUS;
import static dev.stackshare.client.fuse.InitNegotiation.FUSE_HAS_EXPIRE_ONLY;
import static dev.stackshare.client.fuse.InitNegotiation.FUSE_INIT_EXT;
import static dev.stackshare.client.fuse.InitNegotiation.FUSE_MAX_PAGES;
import static dev.stackshare.client.fuse.InitNegotiation.FUSE_NO_OPENDIR_SUPPORT;
import static dev.stackshare.client.fuse.InitNegotiation.FUSE_PARALLEL_DIROPS;
import static dev.stackshare.client.fuse.InitNegotiation.FUSE_READDIRPLUS_AUTO;
import static dev.stackshare.client.fuse.InitNegotiation.FUSE_SECURITY_CTX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InitNegotiationTest {
    private static final long WANTED = FUSE_ASYNC_READ | FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO | FUSE_PARALLEL_DIROPS
            | FUSE_MAX_PAGES | FUSE_NO_OPENDIR_SUPPORT | FUSE_INIT_EXT | FUSE_HAS_EXPIRE_ONLY;
    /** What Linux 4.18 (7.27) offers: up to FUSE_ABORT_ERROR, so no MAX_PAGES and no INIT_EXT. */
    private static final long KERNEL_4_18 = (1L << 22) - 1;
    /** Roughly what 6.18 (7.45) offers: flags 0..30 but 31, and flags2 bits 32..42. */
    private static final long KERNEL_6_18 = ((1L << 31) - 1) | (((1L << 11) - 1) << 32);

    private static Request.Init init(int major, int minor, int readahead, long flags) {
        return new Request.Init(KernelRequests.header(Opcode.INIT, 1, 0, 64), major, minor, readahead, flags);
    }

    @Test
    void anOldKernelGetsItsMinorAndNoMaxPages() throws Exception {
        InitOut out = InitNegotiation.negotiate(init(7, 27, 131072, KERNEL_4_18), WANTED, 0, 1 << 20, 1 << 20, 256);
        assertEquals(new InitOut(7, 27, 131072, FUSE_ASYNC_READ | FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO | FUSE_PARALLEL_DIROPS,
                0, 0, 1 << 20, 1, 0), out);
        InitNegotiation.Negotiated n = InitNegotiation.Negotiated.of(out);
        assertEquals(27, n.minor());
        assertFalse(n.has(FUSE_MAX_PAGES));
        assertFalse(n.has(FUSE_NO_OPENDIR_SUPPORT));
        assertTrue(n.has(FUSE_DO_READDIRPLUS | FUSE_ASYNC_READ));
    }

    @Test
    void aCurrentKernelIsSpokenToAt738WithFlags2() throws Exception {
        InitOut out = InitNegotiation.negotiate(init(7, 45, 131072, KERNEL_6_18), WANTED, 0, 1 << 20, 65536, 256);
        assertEquals(38, out.minor());
        assertEquals(65536, out.maxReadahead());
        assertEquals(WANTED, out.flags());
        assertEquals(256, out.maxPages());
        InitNegotiation.Negotiated n = InitNegotiation.Negotiated.of(out);
        assertTrue(n.has(FUSE_HAS_EXPIRE_ONLY));
        assertFalse(n.has(FUSE_SECURITY_CTX));
        assertEquals("7.38 ASYNC_READ,DO_READDIRPLUS,READDIRPLUS_AUTO,PARALLEL_DIROPS,MAX_PAGES,NO_OPENDIR_SUPPORT,INIT_EXT,HAS_EXPIRE_ONLY",
                n.toString());
    }

    @Test
    void maskedFeaturesStayOff() throws Exception {
        long masked = InitNegotiation.parseMask("readdirplus, MAX_PAGES,FUSE_NO_OPENDIR_SUPPORT");
        assertEquals(FUSE_DO_READDIRPLUS | FUSE_MAX_PAGES | FUSE_NO_OPENDIR_SUPPORT, masked);
        InitOut out = InitNegotiation.negotiate(init(7, 45, 131072, KERNEL_6_18), WANTED, masked, 1 << 20, 1 << 20, 256);
        assertEquals(FUSE_ASYNC_READ | FUSE_READDIRPLUS_AUTO | FUSE_PARALLEL_DIROPS | FUSE_INIT_EXT | FUSE_HAS_EXPIRE_ONLY, out.flags());
        assertEquals(0, out.maxPages());
    }

    @Test
    void withoutInitExtTheHighFlagsCannotBeSent() throws Exception {
        InitOut out = InitNegotiation.negotiate(init(7, 45, 131072, KERNEL_6_18), WANTED, FUSE_INIT_EXT, 1 << 20, 1 << 20, 256);
        assertFalse((out.flags() & FUSE_HAS_EXPIRE_ONLY) != 0);
        assertEquals(0, out.flags() >>> 32);
    }

    @Test
    void noMaxPagesWantedMeansNoFlag() throws Exception {
        InitOut out = InitNegotiation.negotiate(init(7, 45, 131072, KERNEL_6_18), WANTED, 0, 1 << 20, 1 << 20, 0);
        assertFalse((out.flags() & FUSE_MAX_PAGES) != 0);
    }

    @Test
    void aNewerMajorGetsOurMajorAloneAndASecondInit() throws Exception {
        Request.Init kernel = init(8, 1, 131072, -1L);
        assertTrue(InitNegotiation.awaitsAnotherInit(kernel));
        assertEquals(new InitOut(7, 38, 0, 0, 0, 0, 0, 0, 0), InitNegotiation.negotiate(kernel, WANTED, 0, 1 << 20, 1 << 20, 256));
        assertFalse(InitNegotiation.awaitsAnotherInit(init(7, 45, 0, 0)));
    }

    @Test
    void anOlderMajorOrAncientMinorIsRefused() {
        FuseProtocolException e = assertThrows(FuseProtocolException.class,
                () -> InitNegotiation.negotiate(init(6, 1, 0, 0), WANTED, 0, 4096, 4096, 0));
        assertTrue(e.getMessage().contains("6.1"), e.getMessage());
        assertThrows(FuseProtocolException.class, () -> InitNegotiation.negotiate(init(7, 8, 0, 0), WANTED, 0, 4096, 4096, 0));
    }

    @Test
    void parseMaskRefusesUnknownNamesListingTheKnown() {
        assertEquals(0, InitNegotiation.parseMask(null));
        assertEquals(0, InitNegotiation.parseMask(" "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InitNegotiation.parseMask("MAX_PAGES,WARP_DRIVE"));
        assertTrue(e.getMessage().contains("WARP_DRIVE") && e.getMessage().contains("ASYNC_READ,POSIX_LOCKS"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InitNegotiation.parseMask("MAX_PAGES,"));
    }

    @Test
    void namesCoverEveryFlagOfFuseH() {
        assertEquals("bit34", InitNegotiation.names(1L << 34));
        assertEquals("SECURITY_CTX,HAS_INODE_DAX", InitNegotiation.names(FUSE_SECURITY_CTX | InitNegotiation.FUSE_HAS_INODE_DAX));
        long all = InitNegotiation.parseMask(InitNegotiation.names((1L << 34) - 1));
        assertEquals((1L << 34) - 1, all);
    }
}
