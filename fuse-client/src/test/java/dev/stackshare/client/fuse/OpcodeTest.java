package dev.stackshare.client.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OpcodeTest {
    @Test
    void everyOpcodeMapsBackFromItsCode() {
        for (Opcode op : Opcode.values()) {
            assertEquals(op, Opcode.of(op.code()));
        }
        assertEquals(Opcode.LOOKUP, Opcode.of(1));
        assertEquals(Opcode.READDIRPLUS, Opcode.of(44));
        assertEquals(Opcode.TMPFILE, Opcode.of(51));
        assertEquals(Opcode.STATX, Opcode.of(52));
        assertEquals(Opcode.CUSE_INIT, Opcode.of(4096));
    }

    @Test
    void gapsAndUnknownCodesAreNull() {
        for (int code : new int[] {0, 7, 19, 53, 4095, -1, Integer.MIN_VALUE, 436207616}) {
            assertNull(Opcode.of(code), "code " + code);
        }
    }

    @Test
    void onlyForgetsGoUnanswered() {
        assertFalse(Opcode.FORGET.expectsReply());
        assertFalse(Opcode.BATCH_FORGET.expectsReply());
        assertTrue(Opcode.INTERRUPT.expectsReply());
    }

    @Test
    void notifyCodesAreFuseHs() {
        assertEquals(1, NotifyCode.POLL.code());
        assertEquals(2, NotifyCode.INVAL_INODE.code());
        assertEquals(3, NotifyCode.INVAL_ENTRY.code());
        assertEquals(4, NotifyCode.STORE.code());
        assertEquals(5, NotifyCode.RETRIEVE.code());
        assertEquals(6, NotifyCode.DELETE.code());
    }
}
