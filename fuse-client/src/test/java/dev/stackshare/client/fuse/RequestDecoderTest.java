package dev.stackshare.client.fuse;

import static dev.stackshare.client.fuse.KernelRequests.body;
import static dev.stackshare.client.fuse.KernelRequests.decode;
import static dev.stackshare.client.fuse.KernelRequests.header;
import static dev.stackshare.client.fuse.KernelRequests.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {
    private static Request decodeBody(Opcode opcode, long nodeId, byte[] body) throws FuseProtocolException {
        return decode(request(opcode, 77, nodeId, body));
    }

    private static RequestHeader h(Opcode opcode, long nodeId, byte[] body) {
        return header(opcode, 77, nodeId, body.length);
    }

    @Test
    void headerFieldsComeFromTheirOffsets() throws Exception {
        Request r = decode(request(Opcode.STATFS, 0x1122334455667788L, 0x0102030405060708L, new byte[0]));
        assertEquals(new RequestHeader(40, 17, 0x1122334455667788L, 0x0102030405060708L, 1000, 1001, 4242), r.header());
        assertEquals(new Request.Statfs(r.header()), r);
    }

    @Test
    void decodesFromTheBufferPositionAndLeavesItAlone() throws Exception {
        byte[] req = request(Opcode.READLINK, 5, 9, new byte[0]);
        ByteBuffer b = ByteBuffer.allocate(req.length + 8);
        b.position(8);
        b.put(req).position(8);
        assertEquals(new Request.Readlink(header(Opcode.READLINK, 5, 9, 0)), RequestDecoder.decode(b));
        assertEquals(8, b.position());
    }

    @Test
    void initOfAnOldKernelHasNoFlags2() throws Exception {
        // 7.27 sends the 16-byte fuse_init_in
        byte[] b = body().u32(7).u32(27).u32(128 * 1024).u32(0x3ffffb).build();
        assertEquals(new Request.Init(h(Opcode.INIT, 0, b), 7, 27, 128 * 1024, 0x3ffffbL), decodeBody(Opcode.INIT, 0, b));
    }

    @Test
    void initOfANewKernelJoinsFlags2() throws Exception {
        int flags = (int) (InitNegotiation.FUSE_INIT_EXT | InitNegotiation.FUSE_MAX_PAGES);
        byte[] b = body().u32(7).u32(45).u32(131072).u32(flags).u32(0b1011).bytes(new byte[44]).build();
        assertEquals(64, b.length);
        Request.Init init = (Request.Init) decodeBody(Opcode.INIT, 0, b);
        assertEquals(Integer.toUnsignedLong(flags) | (0b1011L << 32), init.flags());
        assertEquals(45, init.minor());
    }

    @Test
    void flags2IsIgnoredWithoutInitExt() throws Exception {
        byte[] b = body().u32(7).u32(45).u32(4096).u32(1).u32(0xffffffff).bytes(new byte[44]).build();
        assertEquals(1L, ((Request.Init) decodeBody(Opcode.INIT, 0, b)).flags());
    }

    @Test
    void initOfANewerMajorNeedsOnlyTheVersion() throws Exception {
        byte[] b = body().u32(8).u32(0).build();
        assertEquals(new Request.Init(h(Opcode.INIT, 0, b), 8, 0, 0, 0), decodeBody(Opcode.INIT, 0, b));
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.INIT, 0, body().u32(7).u32(31).build()));
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.INIT, 0, body().u32(7).build()));
    }

    @Test
    void lookupKeepsTheNameAsBytes() throws Exception {
        byte[] b = body().cstring("caf\u00e9.py").build();
        Request.Lookup lookup = (Request.Lookup) decodeBody(Opcode.LOOKUP, 1, b);
        assertArrayEquals("caf\u00e9.py".getBytes(StandardCharsets.UTF_8), lookup.name());
        assertEquals("caf\u00e9.py", lookup.nameUtf8());
        assertEquals(new Request.Lookup(h(Opcode.LOOKUP, 1, b), "caf\u00e9.py".getBytes(StandardCharsets.UTF_8)), lookup);
    }

    @Test
    void lookupWithoutNulOrNameIsRefused() {
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.LOOKUP, 1, "abc".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.LOOKUP, 1, new byte[] {0}));
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.LOOKUP, 1, new byte[0]));
    }

    @Test
    void forgetAndBatchForget() throws Exception {
        byte[] f = body().u64(3).build();
        assertEquals(new Request.Forget(h(Opcode.FORGET, 42, f), 3), decodeBody(Opcode.FORGET, 42, f));
        byte[] b = body().u32(2).u32(0).u64(10).u64(1).u64(11).u64(5).build();
        assertEquals(new Request.BatchForget(h(Opcode.BATCH_FORGET, 0, b), List.of(new Request.ForgetOne(10, 1), new Request.ForgetOne(11, 5))),
                decodeBody(Opcode.BATCH_FORGET, 0, b));
    }

    @Test
    void batchForgetCountingMoreThanItCarriesIsRefusedBeforeAllocating() {
        byte[] b = body().u32(0xffffffff).u32(0).u64(10).u64(1).build();
        FuseProtocolException e = assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.BATCH_FORGET, 0, b));
        assertTrue(e.getMessage().contains("4294967295"), e.getMessage());
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.BATCH_FORGET, 0, body().u32(2).u32(0).u64(10).u64(1).build()));
    }

    @Test
    void getattrOpenOpendirAccess() throws Exception {
        byte[] g = body().u32(1).u32(0).u64(99).build();
        assertEquals(new Request.Getattr(h(Opcode.GETATTR, 5, g), Request.Getattr.FUSE_GETATTR_FH, 99), decodeBody(Opcode.GETATTR, 5, g));
        byte[] o = body().u32(0100000).u32(0).build();
        assertEquals(new Request.Open(h(Opcode.OPEN, 5, o), 0100000), decodeBody(Opcode.OPEN, 5, o));
        assertEquals(new Request.Opendir(h(Opcode.OPENDIR, 5, o), 0100000), decodeBody(Opcode.OPENDIR, 5, o));
        byte[] a = body().u32(4).u32(0).build();
        assertEquals(new Request.Access(h(Opcode.ACCESS, 5, a), 4), decodeBody(Opcode.ACCESS, 5, a));
    }

    @Test
    void readAndReaddirShareFuseReadIn() throws Exception {
        // fh, offset, size, read_flags, lock_owner, flags, padding
        byte[] b = body().u64(7).u64(1L << 40).u32(131072).u32(2).u64(0xdeadL).u32(0100000).u32(0).build();
        assertEquals(40, b.length);
        assertEquals(new Request.Read(h(Opcode.READ, 9, b), 7, 1L << 40, 131072, 2, 0100000), decodeBody(Opcode.READ, 9, b));
        assertEquals(new Request.Readdir(h(Opcode.READDIR, 9, b), 7, 1L << 40, 131072, false), decodeBody(Opcode.READDIR, 9, b));
        assertEquals(new Request.Readdir(h(Opcode.READDIRPLUS, 9, b), 7, 1L << 40, 131072, true), decodeBody(Opcode.READDIRPLUS, 9, b));
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.READ, 9, Arrays.copyOf(b, 24)));
    }

    @Test
    void readBeyondWhatAFileOffsetCanBeIsRefused() {
        byte[] b = body().u64(7).u64(-1).u32(4096).u32(0).u64(0).u32(0).u32(0).build();
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.READ, 9, b));
    }

    @Test
    void releaseReleasedirFlush() throws Exception {
        // fh, flags, release_flags, lock_owner
        byte[] r = body().u64(12).u32(0100000).u32(1).u64(0).build();
        assertEquals(new Request.Release(h(Opcode.RELEASE, 3, r), 12, 0100000), decodeBody(Opcode.RELEASE, 3, r));
        assertEquals(new Request.Releasedir(h(Opcode.RELEASEDIR, 3, r), 12, 0100000), decodeBody(Opcode.RELEASEDIR, 3, r));
        byte[] f = body().u64(12).u32(0).u32(0).u64(0x77).build();
        assertEquals(new Request.Flush(h(Opcode.FLUSH, 3, f), 12), decodeBody(Opcode.FLUSH, 3, f));
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.RELEASE, 3, body().u64(12).build()));
    }

    @Test
    void bodilessRequests() throws Exception {
        byte[] none = new byte[0];
        assertEquals(new Request.Readlink(h(Opcode.READLINK, 4, none)), decodeBody(Opcode.READLINK, 4, none));
        assertEquals(new Request.Statfs(h(Opcode.STATFS, 1, none)), decodeBody(Opcode.STATFS, 1, none));
        assertEquals(new Request.Destroy(h(Opcode.DESTROY, 0, none)), decodeBody(Opcode.DESTROY, 0, none));
    }

    @Test
    void interruptIoctlLseek() throws Exception {
        byte[] i = body().u64(0x55).build();
        assertEquals(new Request.Interrupt(h(Opcode.INTERRUPT, 0, i), 0x55), decodeBody(Opcode.INTERRUPT, 0, i));
        // fh, flags, cmd, arg, in_size, out_size
        byte[] io = body().u64(3).u32(16).u32(0x80086601).u64(0x7ffd0000L).u32(0).u32(8).build();
        assertEquals(new Request.Ioctl(h(Opcode.IOCTL, 6, io), 3, 16, 0x80086601), decodeBody(Opcode.IOCTL, 6, io));
        byte[] l = body().u64(3).u64(8192).u32(3).u32(0).build();
        assertEquals(new Request.Lseek(h(Opcode.LSEEK, 6, l), 3, 8192, 3), decodeBody(Opcode.LSEEK, 6, l));
    }

    @Test
    void getxattrAndListxattr() throws Exception {
        byte[] g = body().u32(0).u32(0).cstring("security.capability").build();
        Request.Getxattr getxattr = (Request.Getxattr) decodeBody(Opcode.GETXATTR, 8, g);
        assertEquals(new Request.Getxattr(h(Opcode.GETXATTR, 8, g), 0, "security.capability".getBytes(StandardCharsets.US_ASCII)), getxattr);
        assertEquals("security.capability", getxattr.nameUtf8());
        assertThrows(FuseProtocolException.class, () -> decodeBody(Opcode.GETXATTR, 8, body().u32(0).u32(0).build()));
        byte[] l = body().u32(4096).u32(0).build();
        assertEquals(new Request.Listxattr(h(Opcode.LISTXATTR, 8, l), 4096), decodeBody(Opcode.LISTXATTR, 8, l));
    }

    @Test
    void everyOtherOpcodeKnownOrNotIsOther() throws Exception {
        byte[] write = body().u64(1).u64(0).u32(3).u32(0).u64(0).u32(0).u32(0).bytes(new byte[] {1, 2, 3}).build();
        assertEquals(new Request.Other(h(Opcode.WRITE, 2, write)), decodeBody(Opcode.WRITE, 2, write));
        assertInstanceOf(Request.Other.class, decodeBody(Opcode.STATX, 2, new byte[32]));
        assertInstanceOf(Request.Other.class, decodeBody(Opcode.SETATTR, 2, new byte[0]));
        Request unknown = decode(request(4000, 9, 2, new byte[0], 0));
        assertEquals(4000, unknown.header().opcode());
        assertInstanceOf(Request.Other.class, unknown);
    }

    @Test
    void extensionsAtTheEndAreSkipped() throws Exception {
        // MKDIR-style tail: 16 bytes of extension after a LOOKUP's name do not become part of it
        byte[] b = body().cstring("n").bytes(new byte[6]).u64(0x1111).u64(0x2222).build();
        Request.Lookup lookup = (Request.Lookup) decode(request(Opcode.LOOKUP.code(), 1, 1, b, 2));
        assertArrayEquals(new byte[] {'n'}, lookup.name());
        // a name whose NUL would lie in the extensions is refused
        byte[] c = body().bytes("abcdefgh".getBytes(StandardCharsets.US_ASCII)).u64(0).build();
        assertThrows(FuseProtocolException.class, () -> decode(request(Opcode.LOOKUP.code(), 1, 1, c, 1)));
        assertThrows(FuseProtocolException.class, () -> decode(request(Opcode.LOOKUP.code(), 1, 1, c, 3)));
    }

    @Test
    void aHeaderThatDoesNotMatchTheReadIsRefused() {
        assertThrows(FuseProtocolException.class, () -> RequestDecoder.decode(ByteBuffer.allocate(39)));
        byte[] ok = request(Opcode.STATFS, 1, 1, new byte[0]);
        assertThrows(FuseProtocolException.class, () -> decode(Arrays.copyOf(ok, 48)));
        byte[] longer = request(Opcode.STATFS, 1, 1, new byte[8]);
        assertThrows(FuseProtocolException.class, () -> decode(Arrays.copyOf(longer, 40)));
    }
}
