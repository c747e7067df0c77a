package dev.stackshare.client.fuse;

import static dev.stackshare.client.fuse.KernelRequests.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of {@link RequestDecoder}: for any bytes, decode returns a request whose header is the
 * bytes' header, or throws {@link FuseProtocolException}; never another exception, never an
 * allocation the bytes do not justify. Inputs are random bytes, random bodies behind valid headers
 * of every opcode, and mutations of valid requests (which reach deepest). Seeds are fixed so a
 * failure repeats; the number of cases bounds the time CI spends.
 */
class RequestDecoderFuzzTest {
    static final int CASES = 5000;
    private static final AtomicLong TOTAL = new AtomicLong();

    private static void ran(String what, int cases) {
        TOTAL.addAndGet(cases);
        System.out.println("fuzz fuse " + what + ": " + cases + " cases");
    }

    @AfterAll
    static void total() {
        System.out.println("fuzz fuse request decoder: " + TOTAL.get() + " cases in all");
    }

    /** One valid request of each kind the decoder reads, as the kernel lays them out. */
    static List<byte[]> validRequests() {
        List<byte[]> v = new ArrayList<>();
        byte[] readIn = body().u64(7).u64(4096).u32(131072).u32(0).u64(0).u32(0).u32(0).build();
        v.add(KernelRequests.request(Opcode.INIT, 1, 0, body().u32(7).u32(27).u32(131072).u32(0x3fffff).build()));
        v.add(KernelRequests.request(Opcode.INIT, 1, 0, body().u32(7).u32(45).u32(131072).u32(0x7fffffff).u32(0x7ff).bytes(new byte[44]).build()));
        v.add(KernelRequests.request(Opcode.LOOKUP, 2, 1, body().cstring("site-packages").build()));
        v.add(KernelRequests.request(Opcode.FORGET, 3, 9, body().u64(2).build()));
        v.add(KernelRequests.request(Opcode.BATCH_FORGET, 4, 0, body().u32(2).u32(0).u64(9).u64(1).u64(10).u64(2).build()));
        v.add(KernelRequests.request(Opcode.GETATTR, 5, 9, body().u32(1).u32(0).u64(3).build()));
        v.add(KernelRequests.request(Opcode.READLINK, 6, 9, new byte[0]));
        v.add(KernelRequests.request(Opcode.OPEN, 7, 9, body().u32(0).u32(0).build()));
        v.add(KernelRequests.request(Opcode.OPENDIR, 8, 9, body().u32(0).u32(0).build()));
        v.add(KernelRequests.request(Opcode.READ, 9, 9, readIn));
        v.add(KernelRequests.request(Opcode.READDIR, 10, 9, readIn));
        v.add(KernelRequests.request(Opcode.READDIRPLUS, 11, 9, readIn));
        v.add(KernelRequests.request(Opcode.RELEASE, 12, 9, body().u64(3).u32(0).u32(0).u64(0).build()));
        v.add(KernelRequests.request(Opcode.RELEASEDIR, 13, 9, body().u64(3).u32(0).u32(0).u64(0).build()));
        v.add(KernelRequests.request(Opcode.STATFS, 14, 1, new byte[0]));
        v.add(KernelRequests.request(Opcode.INTERRUPT, 15, 0, body().u64(9).build()));
        v.add(KernelRequests.request(Opcode.IOCTL, 16, 9, body().u64(3).u32(0).u32(0x5401).u64(0).u32(0).u32(0).build()));
        v.add(KernelRequests.request(Opcode.ACCESS, 17, 9, body().u32(4).u32(0).build()));
        v.add(KernelRequests.request(Opcode.GETXATTR, 18, 9, body().u32(64).u32(0).cstring("user.x").build()));
        v.add(KernelRequests.request(Opcode.LISTXATTR, 19, 9, body().u32(0).u32(0).build()));
        v.add(KernelRequests.request(Opcode.FLUSH, 20, 9, body().u64(3).u32(0).u32(0).u64(1).build()));
        v.add(KernelRequests.request(Opcode.DESTROY, 21, 0, new byte[0]));
        v.add(KernelRequests.request(Opcode.LSEEK, 22, 9, body().u64(3).u64(0).u32(3).u32(0).build()));
        v.add(KernelRequests.request(Opcode.MKDIR.code(), 23, 1, body().u32(0755).u32(022).cstring("d").bytes(new byte[6]).u64(0).build(), 1));
        return v;
    }

    /** Decodes, allowing only FuseProtocolException; a request must keep the bytes' header. */
    private static boolean decodesOrRefuses(byte[] input) {
        try {
            Request r = RequestDecoder.decode(ByteBuffer.wrap(input));
            assertNotNull(r);
            ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.nativeOrder());
            assertEquals(in.getInt(4), r.header().opcode());
            assertEquals(in.getLong(8), r.header().unique());
            return true;
        } catch (FuseProtocolException expected) {
            return false;
        }
    }

    /** Values at which counts, sizes and offsets go wrong. */
    private static final long[] EDGES = {0, 1, 7, 8, 40, 0xff, 0xffff, 0x7fffffff, 0x80000000L, 0xffffffffL, Long.MAX_VALUE, -1};

    /**
     * Edits a valid request the way its fields could go wrong: a 4- or 8-byte field (they are all
     * aligned) set to an edge value, a bit flipped, the tail cut or grown; then, half the time, the
     * header's length made to match again so that the edit reaches the body's decoder.
     */
    static byte[] mutate(byte[] valid, Random r) {
        ByteBuffer b = ByteBuffer.wrap(valid.clone()).order(ByteOrder.nativeOrder());
        for (int edits = 1 + r.nextInt(3); edits > 0; edits--) {
            int fields = b.limit() / 4;
            int kind = fields == 0 ? 3 : r.nextInt(4);
            if (kind == 0) {
                b.putInt(4 * r.nextInt(fields), (int) EDGES[r.nextInt(EDGES.length)]);
            } else if (kind == 1 && fields >= 2) {
                b.putLong(8 * r.nextInt(fields / 2), EDGES[r.nextInt(EDGES.length)]);
            } else if (kind == 2) {
                int at = r.nextInt(b.limit());
                b.put(at, (byte) (b.get(at) ^ (1 << r.nextInt(8))));
            } else {
                int length = Math.max(0, b.limit() + r.nextInt(33) - 24);
                b = ByteBuffer.wrap(Arrays.copyOf(b.array(), length)).order(ByteOrder.nativeOrder());
            }
        }
        if (b.limit() >= 4 && r.nextBoolean()) {
            b.putInt(0, b.limit());
        }
        return b.array();
    }

    @Test
    void validRequestsDecode() {
        for (byte[] valid : validRequests()) {
            assertEquals(true, decodesOrRefuses(valid), () -> "refused a valid request of opcode " + ByteBuffer.wrap(valid).order(ByteOrder.nativeOrder()).getInt(4));
        }
    }

    @Test
    void randomBytes() {
        Random r = new Random(11);
        for (int i = 0; i < CASES; i++) {
            byte[] b = new byte[r.nextInt(200)];
            r.nextBytes(b);
            decodesOrRefuses(b);
        }
        ran("random bytes", CASES);
    }

    @Test
    void randomBodiesBehindValidHeaders() {
        Random r = new Random(12);
        int decoded = 0;
        int cases = CASES * 4;
        for (int i = 0; i < cases; i++) {
            byte[] body = new byte[r.nextInt(r.nextBoolean() ? 48 : 200)];
            r.nextBytes(body);
            int opcode = r.nextInt(10) == 0 ? r.nextInt() : 1 + r.nextInt(53);
            int extensionUnits = r.nextInt(8) == 0 ? r.nextInt(1 << 16) : 0;
            if (decodesOrRefuses(KernelRequests.request(opcode, r.nextLong(), r.nextLong(), body, extensionUnits))) {
                decoded++;
            }
        }
        ran("random bodies", cases);
        // not all refused: the random bodies do reach the decoders behind the header check
        assertEquals(true, decoded > cases / 4, decoded + " of " + cases + " decoded");
    }

    @Test
    void mutatedValidRequests() {
        Random r = new Random(13);
        List<byte[]> valid = validRequests();
        int cases = CASES * 4;
        for (int i = 0; i < cases; i++) {
            decodesOrRefuses(mutate(valid.get(r.nextInt(valid.size())), r));
        }
        ran("mutated requests", cases);
    }

    @Test
    void hugeBatchForgetCountsAreRefusedWithoutAllocating() {
        Random r = new Random(14);
        for (int i = 0; i < CASES; i++) {
            int count = r.nextBoolean() ? r.nextInt() : r.nextInt(64);
            byte[] body = body().u32(count).u32(0).bytes(new byte[16 * r.nextInt(8)]).build();
            decodesOrRefuses(KernelRequests.request(Opcode.BATCH_FORGET, i, 0, body));
        }
        ran("batch forget counts", CASES);
    }
}
