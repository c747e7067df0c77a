package dev.stackshare.client.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Requests laid out by hand as the kernel writes them (fuse.h 7.38), for the decoder's tests. */
final class KernelRequests {
    static final int UID = 1000;
    static final int GID = 1001;
    static final int PID = 4242;

    private KernelRequests() {
    }

    /** A body built field by field in native order. */
    static final class Body {
        private final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());

        Body u32(int v) {
            b.putInt(v);
            return this;
        }

        Body u64(long v) {
            b.putLong(v);
            return this;
        }

        Body bytes(byte[] v) {
            b.put(v);
            return this;
        }

        /** A name as the kernel sends it: its bytes and a NUL. */
        Body cstring(String v) {
            return bytes(v.getBytes(java.nio.charset.StandardCharsets.UTF_8)).bytes(new byte[] {0});
        }

        byte[] build() {
            byte[] out = new byte[b.position()];
            b.duplicate().flip().get(out);
            return out;
        }
    }

    static Body body() {
        return new Body();
    }

    /** fuse_in_header then the body, as one read(2) returns it. */
    static byte[] request(int opcode, long unique, long nodeId, byte[] body, int extensionUnits) {
        ByteBuffer b = ByteBuffer.allocate(RequestHeader.SIZE + body.length).order(ByteOrder.nativeOrder());
        b.putInt(RequestHeader.SIZE + body.length).putInt(opcode).putLong(unique).putLong(nodeId);
        b.putInt(UID).putInt(GID).putInt(PID).putShort((short) extensionUnits).putShort((short) 0);
        b.put(body);
        return b.array();
    }

    static byte[] request(Opcode opcode, long unique, long nodeId, byte[] body) {
        return request(opcode.code(), unique, nodeId, body, 0);
    }

    static RequestHeader header(Opcode opcode, long unique, long nodeId, int bodyLength) {
        return new RequestHeader(RequestHeader.SIZE + bodyLength, opcode.code(), unique, nodeId, UID, GID, PID);
    }

    static Request decode(byte[] request) throws FuseProtocolException {
        return RequestDecoder.decode(ByteBuffer.wrap(request));
    }
}
