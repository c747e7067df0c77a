package dev.stackshare.client.fuse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One request from the kernel, as {@link RequestDecoder} reads it: a record for each request a
 * read-only filesystem must answer with more than an error, and {@link Other} for the rest.
 *
 * <p>Names are the raw bytes the kernel sent, without the terminating NUL: Linux names are bytes,
 * not text. Records holding a name compare and hash it by content; the array belongs to the record
 * (no copy is made on the lookup path) and must not be changed.
 */
public sealed interface Request {
    RequestHeader header();

    /**
     * FUSE_INIT: the kernel's protocol version and capabilities. {@code flags} holds
     * {@code flags | flags2 << 32} when the kernel sent the extended fuse_init_in (minor 36+ with
     * FUSE_INIT_EXT set), else only the low 32 bits.
     */
    record Init(RequestHeader header, int major, int minor, int maxReadahead, long flags) implements Request {
    }

    /** FUSE_LOOKUP: {@code name} in the directory {@code header().nodeId()}. */
    record Lookup(RequestHeader header, byte[] name) implements Request {
        public Lookup {
            Names.requireName(name);
        }

        /** The name as UTF-8 for logs and messages (malformed bytes become U+FFFD). */
        public String nameUtf8() {
            return new String(name, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Lookup other && header.equals(other.header) && Arrays.equals(name, other.name);
        }

        @Override
        public int hashCode() {
            return 31 * header.hashCode() + Arrays.hashCode(name);
        }

        @Override
        public String toString() {
            return "Lookup[header=" + header + ", name=" + nameUtf8() + "]";
        }
    }

    /** FUSE_FORGET: drop {@code nlookup} lookups of {@code header().nodeId()}. Never answered. */
    record Forget(RequestHeader header, long nlookup) implements Request {
    }

    /** One node of a BATCH_FORGET ({@code struct fuse_forget_one}). */
    record ForgetOne(long nodeId, long nlookup) {
    }

    /**
     * FUSE_BATCH_FORGET: several forgets at once, never answered. A list of records rather than
     * two parallel arrays so that equality and immutability come for free.
     */
    record BatchForget(RequestHeader header, List<ForgetOne> forgets) implements Request {
        public BatchForget {
            forgets = List.copyOf(forgets);
        }
    }

    /** FUSE_GETATTR: {@code fh} is meaningful only when {@code getattrFlags} has FUSE_GETATTR_FH (1). */
    record Getattr(RequestHeader header, int getattrFlags, long fh) implements Request {
        public static final int FUSE_GETATTR_FH = 1;
    }

    /** FUSE_READLINK of {@code header().nodeId()}. */
    record Readlink(RequestHeader header) implements Request {
    }

    /** FUSE_OPEN with the open(2) flags (O_RDONLY, O_WRONLY, ...) as the kernel passed them. */
    record Open(RequestHeader header, int flags) implements Request {
    }

    /** FUSE_OPENDIR with the open(2) flags. */
    record Opendir(RequestHeader header, int flags) implements Request {
    }

    /**
     * FUSE_READ of up to {@code size} bytes at {@code offset}. {@code readFlags} is fuse.h's
     * read_flags (FUSE_READ_LOCKOWNER), {@code flags} the file's open flags.
     */
    record Read(RequestHeader header, long fh, long offset, int size, int readFlags, int flags) implements Request {
        public Read {
            if (offset < 0) {
                throw new IllegalArgumentException("READ offset " + Long.toUnsignedString(offset) + " is negative as a file offset");
            }
            if (size < 0) {
                throw new IllegalArgumentException("READ size " + Integer.toUnsignedString(size) + " is over 2 GiB");
            }
        }
    }

    /**
     * FUSE_READDIR or, with {@code plus}, FUSE_READDIRPLUS (both carry fuse_read_in).
     * {@code offset} is the cookie of a previous entry's {@code nextOffset}, 0 for the start.
     */
    record Readdir(RequestHeader header, long fh, long offset, int size, boolean plus) implements Request {
        public Readdir {
            if (size < 0) {
                throw new IllegalArgumentException("READDIR size " + Integer.toUnsignedString(size) + " is over 2 GiB");
            }
        }
    }

    /** FUSE_RELEASE of the handle {@code fh} that OPEN returned; {@code flags} are the open flags. */
    record Release(RequestHeader header, long fh, int flags) implements Request {
        /** A RELEASE whose handle does not matter (tests, stateless sessions). */
        public Release(RequestHeader header) {
            this(header, 0, 0);
        }
    }

    /** FUSE_RELEASEDIR of the handle {@code fh} that OPENDIR returned. */
    record Releasedir(RequestHeader header, long fh, int flags) implements Request {
        public Releasedir(RequestHeader header) {
            this(header, 0, 0);
        }
    }

    /** FUSE_STATFS. */
    record Statfs(RequestHeader header) implements Request {
    }

    /**
     * FUSE_INTERRUPT: the kernel gave up waiting for request {@code interruptedUnique}. Its own
     * unique needs no reply unless the session answers EAGAIN (request not seen yet).
     */
    record Interrupt(RequestHeader header, long interruptedUnique) implements Request {
    }

    /** FUSE_IOCTL: kept only far enough to log it and answer ENOTTY. */
    record Ioctl(RequestHeader header, long fh, int flags, int cmd) implements Request {
    }

    /** FUSE_ACCESS with access(2)'s mask (R_OK 4, W_OK 2, X_OK 1, F_OK 0). */
    record Access(RequestHeader header, int mask) implements Request {
    }

    /**
     * FUSE_GETXATTR of attribute {@code name}: with {@code size} 0 the kernel asks only for the
     * value's length (answer with {@link ReplyEncoder#xattrSize}), else for the value itself in at
     * most {@code size} bytes (ERANGE when it does not fit).
     */
    record Getxattr(RequestHeader header, int size, byte[] name) implements Request {
        public Getxattr {
            if (size < 0) {
                throw new IllegalArgumentException("GETXATTR size " + Integer.toUnsignedString(size) + " is over 2 GiB");
            }
            Names.requireName(name);
        }

        public String nameUtf8() {
            return new String(name, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Getxattr other && header.equals(other.header) && size == other.size && Arrays.equals(name, other.name);
        }

        @Override
        public int hashCode() {
            return (31 * header.hashCode() + size) * 31 + Arrays.hashCode(name);
        }

        @Override
        public String toString() {
            return "Getxattr[header=" + header + ", size=" + size + ", name=" + nameUtf8() + "]";
        }
    }

    /** FUSE_LISTXATTR: {@code size} 0 asks for the list's length, as for GETXATTR. */
    record Listxattr(RequestHeader header, int size) implements Request {
        public Listxattr {
            if (size < 0) {
                throw new IllegalArgumentException("LISTXATTR size " + Integer.toUnsignedString(size) + " is over 2 GiB");
            }
        }
    }

    /** FUSE_FLUSH (on every close(2) of an open file) of the handle {@code fh}. */
    record Flush(RequestHeader header, long fh) implements Request {
        public Flush(RequestHeader header) {
            this(header, 0);
        }
    }

    /** FUSE_DESTROY: the unmount's last request. */
    record Destroy(RequestHeader header) implements Request {
    }

    /** FUSE_LSEEK for SEEK_DATA (3) or SEEK_HOLE (4); the kernel handles SEEK_SET/CUR/END itself. */
    record Lseek(RequestHeader header, long fh, long offset, int whence) implements Request {
    }

    /**
     * Any other opcode, known or not (writes, SETATTR, MKNOD, ...): the session answers EROFS or
     * ENOSYS by {@code header().opcode()} without needing the body.
     */
    record Other(RequestHeader header) implements Request {
    }
}
