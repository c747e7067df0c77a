package dev.stackshare.client.fuse;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one place where the protocol version and capability flags of a mount are decided, from the
 * kernel's INIT and what the session wants.
 *
 * <p>Flags are fuse.h's INIT flags (7.38) as one long: bits 0..31 travel in {@code flags}, bits
 * 32..63 in {@code flags2}, which both sides read only with {@link #FUSE_INIT_EXT}. A mask (from
 * {@link #parseMask}, e.g. the system property {@value #MASK_PROPERTY}) switches features off so
 * that tests and operators can exercise the fallbacks of older kernels.
 */
public final class InitNegotiation {
    /** The protocol this side speaks: fuse.h's FUSE_KERNEL_VERSION.FUSE_KERNEL_MINOR_VERSION. */
    public static final int FUSE_KERNEL_VERSION = 7;
    public static final int FUSE_KERNEL_MINOR_VERSION = 38;
    /**
     * The oldest kernel minor whose request layouts {@link RequestDecoder} reads (fuse_read_in with
     * lock_owner, fuse_getattr_in, the 128-byte fuse_entry_out all date from 7.9).
     */
    public static final int OLDEST_KERNEL_MINOR = 9;
    /** A comma-separated list of flag names to switch off, for {@link #maskFromSystemProperty}. */
    public static final String MASK_PROPERTY = "stackshare.fuse.mask";
    private static final int PAGE_SIZE = 4096;
    /** What the kernel sends at most without FUSE_MAX_PAGES (FUSE_DEFAULT_MAX_PAGES_PER_REQ). */
    private static final int DEFAULT_MAX_PAGES = 32;

    public static final long FUSE_ASYNC_READ = 1L << 0;
    public static final long FUSE_POSIX_LOCKS = 1L << 1;
    public static final long FUSE_FILE_OPS = 1L << 2;
    public static final long FUSE_ATOMIC_O_TRUNC = 1L << 3;
    /** The filesystem answers LOOKUP of "." and ".." (NFS export). */
    public static final long FUSE_EXPORT_SUPPORT = 1L << 4;
    public static final long FUSE_BIG_WRITES = 1L << 5;
    public static final long FUSE_DONT_MASK = 1L << 6;
    public static final long FUSE_SPLICE_WRITE = 1L << 7;
    public static final long FUSE_SPLICE_MOVE = 1L << 8;
    public static final long FUSE_SPLICE_READ = 1L << 9;
    public static final long FUSE_FLOCK_LOCKS = 1L << 10;
    public static final long FUSE_HAS_IOCTL_DIR = 1L << 11;
    public static final long FUSE_AUTO_INVAL_DATA = 1L << 12;
    public static final long FUSE_DO_READDIRPLUS = 1L << 13;
    public static final long FUSE_READDIRPLUS_AUTO = 1L << 14;
    public static final long FUSE_ASYNC_DIO = 1L << 15;
    public static final long FUSE_WRITEBACK_CACHE = 1L << 16;
    /** The kernel may skip OPEN: an ENOSYS answer to OPEN then means "opens need no message". */
    public static final long FUSE_NO_OPEN_SUPPORT = 1L << 17;
    public static final long FUSE_PARALLEL_DIROPS = 1L << 18;
    public static final long FUSE_HANDLE_KILLPRIV = 1L << 19;
    public static final long FUSE_POSIX_ACL = 1L << 20;
    public static final long FUSE_ABORT_ERROR = 1L << 21;
    /** fuse_init_out.max_pages is valid: requests may be larger than 32 pages. */
    public static final long FUSE_MAX_PAGES = 1L << 22;
    public static final long FUSE_CACHE_SYMLINKS = 1L << 23;
    public static final long FUSE_NO_OPENDIR_SUPPORT = 1L << 24;
    public static final long FUSE_EXPLICIT_INVAL_DATA = 1L << 25;
    public static final long FUSE_MAP_ALIGNMENT = 1L << 26;
    public static final long FUSE_SUBMOUNTS = 1L << 27;
    public static final long FUSE_HANDLE_KILLPRIV_V2 = 1L << 28;
    public static final long FUSE_SETXATTR_EXT = 1L << 29;
    /** fuse_init_in and fuse_init_out carry flags2 (7.36+). */
    public static final long FUSE_INIT_EXT = 1L << 30;
    /** Reserved by fuse.h; never set. */
    public static final long FUSE_INIT_RESERVED = 1L << 31;
    public static final long FUSE_SECURITY_CTX = 1L << 32;
    public static final long FUSE_HAS_INODE_DAX = 1L << 33;
    public static final long FUSE_HAS_EXPIRE_ONLY = 1L << 35;

    /**
     * What a read-only mount of immutable content asks for, each dropped cleanly where the
     * kernel lacks it: reads in parallel, listings with attributes (no LOOKUP per name after a
     * listdir), no OPEN or OPENDIR at all (the kernel then keeps pages and listings), look-ups in
     * one directory in parallel, 1 MiB reads, cached link targets.
     */
    public static final long WANTED = FUSE_ASYNC_READ | FUSE_DO_READDIRPLUS | FUSE_NO_OPEN_SUPPORT
            | FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES | FUSE_CACHE_SYMLINKS | FUSE_NO_OPENDIR_SUPPORT | FUSE_INIT_EXT;

    /** Every FUSE_* flag above by its name without the prefix, in bit order. */
    private static final Map<String, Long> FLAGS = flagsByName();

    private InitNegotiation() {
    }

    /**
     * What was agreed: the INIT reply, and the minor and flags both sides now use.
     *
     * @param minor min(kernel's minor, {@link #FUSE_KERNEL_MINOR_VERSION})
     * @param flags the capabilities on (the reply's flags)
     */
    public record Negotiated(InitOut out, int minor, long flags) {
        public Negotiated {
            if (minor != out.minor() || flags != out.flags()) {
                throw new IllegalArgumentException("minor " + minor + " and flags 0x" + Long.toHexString(flags)
                        + " differ from the reply's " + out.minor() + " and 0x" + Long.toHexString(out.flags()));
            }
        }

        public static Negotiated of(InitOut out) {
            return new Negotiated(out, out.minor(), out.flags());
        }

        /** Whether every bit of {@code flag} is on. */
        public boolean has(long flag) {
            return (flags & flag) == flag;
        }

        /** The largest READ the kernel sends: max_pages pages, else its default of 32 (128 KiB). */
        public int maxRead() {
            return (has(FUSE_MAX_PAGES) ? out.maxPages() : DEFAULT_MAX_PAGES) * PAGE_SIZE;
        }

        /** For the mount's log: "7.38 ASYNC_READ,DO_READDIRPLUS,...". */
        @Override
        public String toString() {
            return FUSE_KERNEL_VERSION + "." + minor + " " + names(flags);
        }
    }

    /**
     * Agrees with the kernel's INIT.
     *
     * <ul>
     *   <li>minor = min(kernel's, 38); a kernel before 7.{@value #OLDEST_KERNEL_MINOR} is refused.
     *   <li>flags = kernel's &amp; wanted &amp; ~masked; FUSE_MAX_PAGES only with maxPages &gt; 0, and
     *       bits 32..63 only with FUSE_INIT_EXT on (else the kernel could not read them).
     *   <li>max_readahead = the smaller of the kernel's and ours; max_background and
     *       congestion_threshold 0, the kernel's defaults ({@link InitOut#withBackground}); time_gran 1.
     * </ul>
     *
     * A kernel of a newer major is answered, as fuse.h says, with our major alone (7.38, no flags)
     * and will send a second INIT of major 7: see {@link #awaitsAnotherInit}. A kernel of an older
     * major cannot be spoken to.
     *
     * @throws FuseProtocolException for a major below 7 or a minor below {@value #OLDEST_KERNEL_MINOR}
     */
    public static InitOut negotiate(Request.Init kernel, long wanted, long masked, int maxWrite, int maxReadahead, int maxPages)
            throws FuseProtocolException {
        if (maxPages < 0 || maxPages > 0xffff) {
            throw new IllegalArgumentException("maxPages " + maxPages + " is not in 0..65535");
        }
        if (awaitsAnotherInit(kernel)) {
            return new InitOut(FUSE_KERNEL_VERSION, FUSE_KERNEL_MINOR_VERSION, 0, 0, 0, 0, 0, 0, 0);
        }
        if (kernel.major() != FUSE_KERNEL_VERSION) {
            throw new FuseProtocolException("the kernel speaks FUSE protocol " + kernel.major() + "." + kernel.minor()
                    + "; this side speaks only " + FUSE_KERNEL_VERSION + ".x");
        }
        if (kernel.minor() < OLDEST_KERNEL_MINOR) {
            throw new FuseProtocolException("the kernel speaks FUSE protocol 7." + kernel.minor() + "; this side needs 7."
                    + OLDEST_KERNEL_MINOR + " or later (Linux 4.18 speaks 7.27)");
        }
        int minor = Math.min(kernel.minor(), FUSE_KERNEL_MINOR_VERSION);
        long flags = kernel.flags() & wanted & ~masked & ~FUSE_INIT_RESERVED;
        if (maxPages == 0) {
            flags &= ~FUSE_MAX_PAGES;
        }
        if ((flags & FUSE_INIT_EXT) == 0) {
            flags &= 0xffff_ffffL;
        }
        int pages = (flags & FUSE_MAX_PAGES) != 0 ? maxPages : 0;
        int readahead = Integer.compareUnsigned(kernel.maxReadahead(), maxReadahead) < 0 ? kernel.maxReadahead() : maxReadahead;
        return new InitOut(FUSE_KERNEL_VERSION, minor, readahead, flags, 0, 0, maxWrite, 1, pages);
    }

    /**
     * True when the kernel's major is newer than 7: the reply from {@link #negotiate} then only
     * states our major, nothing is agreed yet, and the session must read the next INIT.
     */
    public static boolean awaitsAnotherInit(Request.Init kernel) {
        return kernel.major() > FUSE_KERNEL_VERSION;
    }

    /**
     * The bits of names like "READDIRPLUS_AUTO,MAX_PAGES,no_opendir_support": fuse.h's names with
     * or without the FUSE_ prefix, any case, separated by commas; null or blank is 0. READDIRPLUS
     * stands for DO_READDIRPLUS.
     *
     * @throws IllegalArgumentException for a name fuse.h does not have, listing those it has
     */
    public static long parseMask(String commaSeparatedNames) {
        long mask = 0;
        if (commaSeparatedNames == null) {
            return 0;
        }
        for (String part : commaSeparatedNames.split(",", -1)) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            if (name.startsWith("FUSE_")) {
                name = name.substring("FUSE_".length());
            }
            if (name.isEmpty() && commaSeparatedNames.isBlank()) {
                continue;
            }
            Long bit = FLAGS.get(name);
            if (bit == null) {
                throw new IllegalArgumentException("unknown FUSE flag '" + part.trim() + "'; known: " + String.join(",", FLAGS.keySet()));
            }
            mask |= bit;
        }
        return mask;
    }

    /** The mask named by the system property {@value #MASK_PROPERTY}, 0 when it is not set. */
    public static long maskFromSystemProperty() {
        return parseMask(System.getProperty(MASK_PROPERTY));
    }

    /** The names of the flags set, in bit order, comma-separated; bits fuse.h lacks as "bitN". */
    public static String names(long flags) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) != 0) {
                names.add(nameOf(1L << bit).orElse("bit" + bit));
            }
        }
        return String.join(",", names);
    }

    private static Optional<String> nameOf(long bit) {
        return FLAGS.entrySet().stream().filter(e -> e.getValue() == bit).map(Map.Entry::getKey).findFirst();
    }

    /** Read from this class's own constants so that the names cannot drift from the bits. */
    private static Map<String, Long> flagsByName() {
        Map<Long, String> byBit = new TreeMap<>(Long::compareUnsigned);
        for (Field field : InitNegotiation.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (field.getName().startsWith("FUSE_") && field.getType() == long.class && Modifier.isStatic(modifiers) && Modifier.isPublic(modifiers)) {
                try {
                    byBit.put(field.getLong(null), field.getName().substring("FUSE_".length()));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        Map<String, Long> byName = new LinkedHashMap<>();
        byBit.forEach((bit, name) -> byName.put(name, bit));
        // the name people use for DO_READDIRPLUS
        byName.put("READDIRPLUS", FUSE_DO_READDIRPLUS);
        return Collections.unmodifiableMap(byName);
    }
}
