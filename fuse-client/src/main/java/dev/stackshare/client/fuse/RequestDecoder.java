package dev.stackshare.client.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one request, exactly as read(2) on /dev/fuse returned it, into a {@link Request}.
 *
 * <pre>
 *  0                     40                              len - 8 * total_extlen      len
 *  +---------------------+-------------------------------+---------------------------+
 *  | fuse_in_header      | body: fuse_*_in, then names   | extensions (7.38+)        |
 *  +---------------------+-------------------------------+---------------------------+
 * </pre>
 *
 * Bodies use the layouts of protocol 7.9 and later (fuse_read_in with lock_owner and flags,
 * fuse_getattr_in, ...), which every supported kernel (7.27+) sends; a body shorter than its
 * struct is refused, a longer one is read up to what this side knows. Extensions (security
 * contexts, supplementary groups) only ever follow requests this side answers EROFS, and are
 * skipped.
 */
public final class RequestDecoder {
    /** Only a kernel offering FUSE_INIT_EXT at 7.36+ sends flags2, at offset 16 of fuse_init_in. */
    private static final int INIT_EXT_MINOR = 36;
    private static final int FORGET_ONE_SIZE = 16;

    private RequestDecoder() {
    }

    /**
     * Decodes the request between the buffer's position and limit, leaving the buffer as it was.
     *
     * @throws FuseProtocolException for anything that is not one whole valid request; never
     *     another exception, whatever the bytes
     */
    public static Request decode(ByteBuffer buffer) throws FuseProtocolException {
        ByteBuffer in = buffer.slice().order(ByteOrder.nativeOrder());
        int received = in.remaining();
        if (received < RequestHeader.SIZE) {
            throw new FuseProtocolException("request of " + received + " bytes is shorter than the " + RequestHeader.SIZE + "-byte fuse_in_header");
        }
        int length = in.getInt(0);
        if (length != received) {
            throw new FuseProtocolException("fuse_in_header says " + Integer.toUnsignedString(length) + " bytes but the read returned " + received);
        }
        int extensions = 8 * Short.toUnsignedInt(in.getShort(36));
        if (extensions > received - RequestHeader.SIZE) {
            throw new FuseProtocolException("total_extlen of " + extensions + " bytes is longer than the " + (received - RequestHeader.SIZE) + "-byte body");
        }
        RequestHeader header = new RequestHeader(length, in.getInt(4), in.getLong(8), in.getLong(16), in.getInt(24), in.getInt(28), in.getInt(32));
        ByteBuffer body = in.slice(RequestHeader.SIZE, received - RequestHeader.SIZE - extensions).order(ByteOrder.nativeOrder());
        Opcode opcode = Opcode.of(header.opcode());
        if (opcode == null) {
            return new Request.Other(header);
        }
        try {
            return decodeBody(header, opcode, body);
        } catch (IllegalArgumentException e) {
            // a record refused a value the body carried: still the kernel's bytes, not our bug
            throw new FuseProtocolException(opcode + ": " + e.getMessage(), e);
        }
    }

    private static Request decodeBody(RequestHeader h, Opcode opcode, ByteBuffer body) throws FuseProtocolException {
        switch (opcode) {
            case INIT:
                return init(h, body);
            case LOOKUP:
                return new Request.Lookup(h, name(body, 0, opcode));
            case FORGET:
                need(body, 8, opcode, "fuse_forget_in");
                return new Request.Forget(h, body.getLong(0));
            case BATCH_FORGET:
                return batchForget(h, body);
            case GETATTR:
                need(body, 16, opcode, "fuse_getattr_in");
                return new Request.Getattr(h, body.getInt(0), body.getLong(8));
            case READLINK:
                return new Request.Readlink(h);
            case OPEN:
                need(body, 8, opcode, "fuse_open_in");
                return new Request.Open(h, body.getInt(0));
            case OPENDIR:
                need(body, 8, opcode, "fuse_open_in");
                return new Request.Opendir(h, body.getInt(0));
            case READ:
                // fuse_read_in: fh 0, offset 8, size 16, read_flags 20, lock_owner 24, flags 32
                need(body, 40, opcode, "fuse_read_in");
                return new Request.Read(h, body.getLong(0), body.getLong(8), body.getInt(16), body.getInt(20), body.getInt(32));
            case READDIR:
            case READDIRPLUS:
                need(body, 40, opcode, "fuse_read_in");
                return new Request.Readdir(h, body.getLong(0), body.getLong(8), body.getInt(16), opcode == Opcode.READDIRPLUS);
            case RELEASE:
                need(body, 24, opcode, "fuse_release_in");
                return new Request.Release(h, body.getLong(0), body.getInt(8));
            case RELEASEDIR:
                need(body, 24, opcode, "fuse_release_in");
                return new Request.Releasedir(h, body.getLong(0), body.getInt(8));
            case STATFS:
                return new Request.Statfs(h);
            case INTERRUPT:
                need(body, 8, opcode, "fuse_interrupt_in");
                return new Request.Interrupt(h, body.getLong(0));
            case IOCTL:
                // fuse_ioctl_in: fh 0, flags 8, cmd 12, arg 16, in_size 24, out_size 28
                need(body, 32, opcode, "fuse_ioctl_in");
                return new Request.Ioctl(h, body.getLong(0), body.getInt(8), body.getInt(12));
            case ACCESS:
                need(body, 8, opcode, "fuse_access_in");
                return new Request.Access(h, body.getInt(0));
            case GETXATTR:
                need(body, 8, opcode, "fuse_getxattr_in");
                return new Request.Getxattr(h, body.getInt(0), name(body, 8, opcode));
            case LISTXATTR:
                need(body, 8, opcode, "fuse_getxattr_in");
                return new Request.Listxattr(h, body.getInt(0));
            case FLUSH:
                need(body, 24, opcode, "fuse_flush_in");
                return new Request.Flush(h, body.getLong(0));
            case DESTROY:
                return new Request.Destroy(h);
            case LSEEK:
                need(body, 24, opcode, "fuse_lseek_in");
                return new Request.Lseek(h, body.getLong(0), body.getLong(8), body.getInt(16));
            default:
                return new Request.Other(h);
        }
    }

    /**
     * fuse_init_in: major, minor, max_readahead, flags (16 bytes up to 7.35); from 7.36 flags2 and
     * 44 unused bytes follow, and flags2 counts only when flags has FUSE_INIT_EXT. A kernel of a
     * newer major may send anything after major and minor, so only those are required of it.
     */
    private static Request init(RequestHeader h, ByteBuffer body) throws FuseProtocolException {
        need(body, 8, Opcode.INIT, "fuse_init_in's major and minor");
        int major = body.getInt(0);
        int minor = body.getInt(4);
        if (major != InitNegotiation.FUSE_KERNEL_VERSION && body.remaining() < 16) {
            return new Request.Init(h, major, minor, 0, 0);
        }
        need(body, 16, Opcode.INIT, "fuse_init_in");
        long flags = Integer.toUnsignedLong(body.getInt(12));
        if (major == InitNegotiation.FUSE_KERNEL_VERSION && minor >= INIT_EXT_MINOR && (flags & InitNegotiation.FUSE_INIT_EXT) != 0) {
            need(body, 20, Opcode.INIT, "fuse_init_in with flags2");
            flags |= Integer.toUnsignedLong(body.getInt(16)) << 32;
        }
        return new Request.Init(h, major, minor, body.getInt(8), flags);
    }

    /** fuse_batch_forget_in (count, dummy) then count fuse_forget_one, checked before allocating. */
    private static Request batchForget(RequestHeader h, ByteBuffer body) throws FuseProtocolException {
        need(body, 8, Opcode.BATCH_FORGET, "fuse_batch_forget_in");
        long count = Integer.toUnsignedLong(body.getInt(0));
        long room = (body.remaining() - 8) / FORGET_ONE_SIZE;
        if (count > room) {
            throw new FuseProtocolException("BATCH_FORGET of " + count + " nodes carries room for " + room);
        }
        List<Request.ForgetOne> forgets = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            int at = 8 + i * FORGET_ONE_SIZE;
            forgets.add(new Request.ForgetOne(body.getLong(at), body.getLong(at + 8)));
        }
        return new Request.BatchForget(h, forgets);
    }

    private static void need(ByteBuffer body, int size, Opcode opcode, String struct) throws FuseProtocolException {
        if (body.remaining() < size) {
            throw new FuseProtocolException(opcode + " body of " + body.remaining() + " bytes is shorter than the " + size + "-byte " + struct);
        }
    }

    /** The NUL-terminated name starting at {@code from}, without its NUL. */
    private static byte[] name(ByteBuffer body, int from, Opcode opcode) throws FuseProtocolException {
        int end = from;
        while (end < body.limit() && body.get(end) != 0) {
            end++;
        }
        if (end == body.limit()) {
            throw new FuseProtocolException(opcode + " name of " + Math.max(0, body.limit() - from) + " bytes has no terminating NUL");
        }
        if (end == from) {
            throw new FuseProtocolException(opcode + " with an empty name");
        }
        byte[] name = new byte[end - from];
        body.get(from, name);
        return name;
    }
}
