package dev.stackshare.client.fuse;

/**
 * This side's answer to INIT: {@code struct fuse_init_out}. {@link ReplyEncoder#init} writes the
 * 24-byte form for kernels before 7.23 and the 64-byte form after.
 *
 * <pre>
 *   0 major (u32)          4 minor (u32)          8 max_readahead (u32)   12 flags (u32)
 *  16 max_background (u16) 18 congestion_threshold (u16)                   20 max_write (u32)
 *  ---- 24 bytes: the whole reply before 7.23 ----
 *  24 time_gran (u32)     28 max_pages (u16)     30 map_alignment (u16)   32 flags2 (u32)
 *  36 unused[7]           64 end
 * </pre>
 *
 * @param flags the capabilities on, bits 32..63 going to flags2 (which needs FUSE_INIT_EXT)
 * @param maxBackground 0 keeps the kernel's default (12) for background requests (readahead)
 * @param congestionThreshold 0 keeps the kernel's default (three quarters of maxBackground)
 * @param timeGran the timestamps' granularity in nanoseconds; 1 means exact
 * @param maxPages pages per request, read only with FUSE_MAX_PAGES; 0 when off
 */
public record InitOut(int major, int minor, int maxReadahead, long flags, int maxBackground, int congestionThreshold,
        int maxWrite, int timeGran, int maxPages) {
    public InitOut {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("protocol version " + major + "." + minor + " is negative");
        }
        requireU16("maxBackground", maxBackground);
        requireU16("congestionThreshold", congestionThreshold);
        requireU16("maxPages", maxPages);
        if ((flags >>> 32) != 0 && (flags & InitNegotiation.FUSE_INIT_EXT) == 0) {
            throw new IllegalArgumentException("flags 0x" + Long.toHexString(flags) + " use flags2 without FUSE_INIT_EXT, so the kernel would not read them");
        }
    }

    private static void requireU16(String what, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(what + " " + value + " does not fit the 16-bit field");
        }
    }

    /** The same answer with other limits on background requests (0 for the kernel's defaults). */
    public InitOut withBackground(int maxBackground, int congestionThreshold) {
        return new InitOut(major, minor, maxReadahead, flags, maxBackground, congestionThreshold, maxWrite, timeGran, maxPages);
    }
}
