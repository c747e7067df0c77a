package dev.stackshare.client.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every reply checked field by field at fuse.h's offsets (body offsets are after the 16-byte header). */
class ReplyEncoderTest {
    static final Attr ATTR = new Attr(0x0a0b0c0d0e0fL, 123456789L, 241125, 1700000001, 11, 1700000002, 22, 1700000003, 33,
            0100644, 1, 1000, 1001, 0, 4096);

    /** A big-endian buffer full of junk, to see that the encoder sets the order and clears nothing it needs. */
    static ByteBuffer junk(int capacity) {
        ByteBuffer b = ByteBuffer.allocate(capacity);
        Arrays.fill(b.array(), (byte) 0x5a);
        b.position(7);
        return b;
    }

    /** The bytes ready for write(2), in native order from index 0. */
    static ByteBuffer written(ByteBuffer out) {
        assertEquals(0, out.position());
        byte[] bytes = new byte[out.remaining()];
        out.duplicate().get(bytes);
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    static ByteBuffer header(ByteBuffer w, int length, int error, long unique) {
        assertEquals(length, w.limit(), "bytes to write");
        assertEquals(length, w.getInt(0), "len");
        assertEquals(error, w.getInt(4), "error");
        assertEquals(unique, w.getLong(8), "unique");
        return w;
    }

    static void assertAttrAt(ByteBuffer w, int at, Attr a) {
        assertEquals(a.ino(), w.getLong(at));
        assertEquals(a.size(), w.getLong(at + 8));
        assertEquals(a.blocks(), w.getLong(at + 16));
        assertEquals(a.atimeSec(), w.getLong(at + 24));
        assertEquals(a.mtimeSec(), w.getLong(at + 32));
        assertEquals(a.ctimeSec(), w.getLong(at + 40));
        assertEquals(a.atimeNsec(), w.getInt(at + 48));
        assertEquals(a.mtimeNsec(), w.getInt(at + 52));
        assertEquals(a.ctimeNsec(), w.getInt(at + 56));
        assertEquals(a.mode(), w.getInt(at + 60));
        assertEquals(a.nlink(), w.getInt(at + 64));
        assertEquals(a.uid(), w.getInt(at + 68));
        assertEquals(a.gid(), w.getInt(at + 72));
        assertEquals(a.rdev(), w.getInt(at + 76));
        assertEquals(a.blksize(), w.getInt(at + 80));
        assertEquals(0, w.getInt(at + 84), "fuse_attr.flags");
    }

    static void assertEntryAt(ByteBuffer w, int at, EntryOut e, long entrySec, int entryNsec, long attrSec, int attrNsec) {
        assertEquals(e.nodeId(), w.getLong(at));
        assertEquals(e.generation(), w.getLong(at + 8));
        assertEquals(entrySec, w.getLong(at + 16));
        assertEquals(attrSec, w.getLong(at + 24));
        assertEquals(entryNsec, w.getInt(at + 32));
        assertEquals(attrNsec, w.getInt(at + 36));
        assertAttrAt(w, at + 40, e.attr());
    }

    @Test
    void errorIsNegativeErrno() {
        ByteBuffer out = junk(64);
        ReplyEncoder.error(out, 99, Errno.ENOENT);
        header(written(out), 16, -2, 99);
        ReplyEncoder.error(out, 99, -Errno.EROFS);
        header(written(out), 16, -30, 99);
        ReplyEncoder.error(out, 99, 0);
        header(written(out), 16, 0, 99);
        assertThrows(IllegalArgumentException.class, () -> ReplyEncoder.error(out, 1, 512));
        assertThrows(IllegalArgumentException.class, () -> ReplyEncoder.error(out, 1, Integer.MIN_VALUE));
        assertEquals(4, ReplyEncoder.interruptedErrno());
    }

    @Test
    void empty() {
        ByteBuffer out = junk(64);
        ReplyEncoder.empty(out, 7);
        header(written(out), 16, 0, 7);
    }

    @Test
    void initForCurrentKernelsIs64BytesWithFlags2() {
        ByteBuffer out = junk(256);
        long flags = InitNegotiation.FUSE_ASYNC_READ | InitNegotiation.FUSE_MAX_PAGES | InitNegotiation.FUSE_INIT_EXT
                | InitNegotiation.FUSE_HAS_EXPIRE_ONLY;
        ReplyEncoder.init(out, 1, new InitOut(7, 38, 131072, flags, 16, 12, 1 << 20, 1, 256), 45);
        ByteBuffer w = header(written(out), 80, 0, 1);
        assertEquals(7, w.getInt(16));
        assertEquals(38, w.getInt(20));
        assertEquals(131072, w.getInt(24));
        assertEquals((int) flags, w.getInt(28));
        assertEquals(16, w.getShort(32));
        assertEquals(12, w.getShort(34));
        assertEquals(1 << 20, w.getInt(36));
        assertEquals(1, w.getInt(40));
        assertEquals(256, w.getShort(44));
        assertEquals(0, w.getShort(46), "map_alignment");
        assertEquals(1 << 3, w.getInt(48), "flags2");
        for (int at = 52; at < 80; at += 4) {
            assertEquals(0, w.getInt(at), "unused at " + at);
        }
    }

    @Test
    void initForKernelsBefore723Is24Bytes() {
        ByteBuffer out = junk(256);
        ReplyEncoder.init(out, 1, new InitOut(7, 22, 65536, 1, 0, 0, 4096, 1, 0), 22);
        ByteBuffer w = header(written(out), 40, 0, 1);
        assertEquals(22, w.getInt(20));
        assertEquals(4096, w.getInt(36));
    }

    @Test
    void initFlags2NeedsInitExt() {
        assertThrows(IllegalArgumentException.class, () -> new InitOut(7, 38, 0, InitNegotiation.FUSE_SECURITY_CTX, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new InitOut(7, 38, 0, 0, 0x10000, 0, 0, 0, 0));
    }

    @Test
    void entryIs128BytesWithValiditiesSplit() {
        ByteBuffer out = junk(256);
        EntryOut e = new EntryOut(42, 3, 1_500_000_000L, 86_400_000_000_007L, ATTR);
        ReplyEncoder.entry(out, 5, e);
        assertEntryAt(header(written(out), 16 + 128, 0, 5), 16, e, 1, 500_000_000, 86_400, 7);
    }

    @Test
    void negativeEntryHasNodeIdZero() {
        ByteBuffer out = junk(256);
        ReplyEncoder.entry(out, 5, EntryOut.negative(2_000_000_000L));
        ByteBuffer w = header(written(out), 144, 0, 5);
        assertEquals(0, w.getLong(16));
        assertEquals(2, w.getLong(32));
        assertAttrAt(w, 56, Attr.NONE);
    }

    @Test
    void attrIs104Bytes() {
        ByteBuffer out = junk(256);
        ReplyEncoder.attr(out, 6, 3_000_000_001L, ATTR);
        ByteBuffer w = header(written(out), 16 + 104, 0, 6);
        assertEquals(3, w.getLong(16));
        assertEquals(1, w.getInt(24));
        assertEquals(0, w.getInt(28), "dummy");
        assertAttrAt(w, 32, ATTR);
    }

    @Test
    void open() {
        ByteBuffer out = junk(64);
        ReplyEncoder.open(out, 8, 0x1234567890L, ReplyEncoder.FOPEN_KEEP_CACHE | ReplyEncoder.FOPEN_CACHE_DIR);
        ByteBuffer w = header(written(out), 32, 0, 8);
        assertEquals(0x1234567890L, w.getLong(16));
        assertEquals(0b1010, w.getInt(24));
        assertEquals(0, w.getInt(28));
    }

    @Test
    void statfsIs80Bytes() {
        ByteBuffer out = junk(256);
        ReplyEncoder.statfs(out, 9, new StatfsOut(1000, 10, 9, 500, 5, 4096, 255, 4096));
        ByteBuffer w = header(written(out), 96, 0, 9);
        long[] longs = {1000, 10, 9, 500, 5};
        for (int i = 0; i < 5; i++) {
            assertEquals(longs[i], w.getLong(16 + 8 * i));
        }
        assertEquals(4096, w.getInt(56));
        assertEquals(255, w.getInt(60));
        assertEquals(4096, w.getInt(64));
        for (int at = 68; at < 96; at += 4) {
            assertEquals(0, w.getInt(at), "padding/spare at " + at);
        }
    }

    @Test
    void dataFromAnArray() {
        ByteBuffer out = junk(64);
        ReplyEncoder.data(out, 10, "xxhello".getBytes(StandardCharsets.US_ASCII), 2, 5);
        ByteBuffer w = header(written(out), 21, 0, 10);
        byte[] body = new byte[5];
        w.get(16, body);
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), body);
    }

    @Test
    void dataFilledInPlace() {
        ByteBuffer out = junk(64);
        ByteBuffer room = ReplyEncoder.beginData(out, 11);
        assertEquals(0, room.position());
        assertEquals(48, room.remaining());
        room.put(new byte[] {1, 2, 3});
        ReplyEncoder.endData(out, 3);
        ByteBuffer w = header(written(out), 19, 0, 11);
        assertEquals(1, w.get(16));
        assertEquals(3, w.get(18));
        assertThrows(IllegalArgumentException.class, () -> ReplyEncoder.endData(out, 49));
        ReplyEncoder.beginData(out, 12);
        ReplyEncoder.endData(out, 0);
        header(written(out), 16, 0, 12);
    }

    @Test
    void xattrSizeAndLseek() {
        ByteBuffer out = junk(64);
        ReplyEncoder.xattrSize(out, 13, 20);
        ByteBuffer w = header(written(out), 24, 0, 13);
        assertEquals(20, w.getInt(16));
        assertEquals(0, w.getInt(20));
        ReplyEncoder.lseek(out, 14, 1L << 33);
        assertEquals(1L << 33, header(written(out), 24, 0, 14).getLong(16));
    }

    @Test
    void notifyStore() {
        ByteBuffer out = junk(128);
        ReplyEncoder.notifyStore(out, 77, 8192, new byte[] {9, 8, 7, 6}, 1, 3);
        ByteBuffer w = header(written(out), 16 + 24 + 3, 4, 0);
        assertEquals(77, w.getLong(16));
        assertEquals(8192, w.getLong(24));
        assertEquals(3, w.getInt(32));
        assertEquals(0, w.getInt(36));
        assertEquals(8, w.get(40));
        assertEquals(6, w.get(42));
    }

    @Test
    void notifyInvalEntryEndsWithNulUnpadded() {
        ByteBuffer out = junk(128);
        ReplyEncoder.notifyInvalEntry(out, 1, "abc".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer w = header(written(out), 16 + 16 + 4, 3, 0);
        assertEquals(1, w.getLong(16));
        assertEquals(3, w.getInt(24));
        assertEquals(0, w.getInt(28));
        assertEquals('a', w.get(32));
        assertEquals(0, w.get(35));
        assertThrows(IllegalArgumentException.class, () -> ReplyEncoder.notifyInvalEntry(out, 1, "a/b".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void notifyInvalInode() {
        ByteBuffer out = junk(128);
        ReplyEncoder.notifyInvalInode(out, 5, -1, 0);
        ByteBuffer w = header(written(out), 40, 2, 0);
        assertEquals(5, w.getLong(16));
        assertEquals(-1, w.getLong(24));
        assertEquals(0, w.getLong(32));
    }

    @Test
    void valuesRefuseImpossibleFields() {
        assertThrows(IllegalArgumentException.class, () -> new Attr(1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Attr(1, 0, 0, 0, 1_000_000_000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new EntryOut(1, 0, -1, 0, ATTR));
        assertThrows(IllegalArgumentException.class, () -> new EntryOut(1, 0, 0, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new StatfsOut(-1, 0, 0, 0, 0, 0, 0, 0));
    }
}
