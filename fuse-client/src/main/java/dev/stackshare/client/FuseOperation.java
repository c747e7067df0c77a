package dev.stackshare.client;

import dev.stackshare.client.fuse.Opcode;

/**
 * The kernel's requests that reach the mount's Java code. Each one is a round trip from the job
 * into this process, so their count is what the kernel's caches did not answer. Under libfuse 2
 * only the first seven reach Java (libfuse answers the rest itself); our own kernel session
 * counts every request it receives.
 */
enum FuseOperation {
    GETATTR, READDIR, READ, READLINK, STATFS, ACCESS,
    /** Once per mount at most: refused, so that the kernel stops asking. */
    OPEN,
    LOOKUP, READDIRPLUS, OPENDIR, RELEASE, IOCTL, FORGET, INTERRUPT, INIT,
    /** Every other request (FLUSH, GETXATTR, DESTROY, ...). */
    OTHER;

    /** The name in stats and JSON: the FUSE operation's own, lower case. */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    private static final java.util.Map<Opcode, FuseOperation> BY_OPCODE = byOpcode();

    /** The counter for a kernel request: BATCH_FORGET counts as FORGET, RELEASEDIR as RELEASE. */
    static FuseOperation of(Opcode op) {
        return op == null ? OTHER : BY_OPCODE.get(op);
    }

    private static java.util.Map<Opcode, FuseOperation> byOpcode() {
        java.util.Map<Opcode, FuseOperation> map = new java.util.EnumMap<>(Opcode.class);
        for (Opcode op : Opcode.values()) {
            FuseOperation same = java.util.Arrays.stream(values()).filter(f -> f.name().equals(op.name())).findFirst()
                    .orElse(OTHER);
            map.put(op, same);
        }
        map.put(Opcode.BATCH_FORGET, FORGET);
        map.put(Opcode.RELEASEDIR, RELEASE);
        return map;
    }
}
