package dev.stackshare.client.fuse;

import static dev.stackshare.client.fuse.ReplyEncoderTest.assertEntryAt;
import static dev.stackshare.client.fuse.ReplyEncoderTest.header;
import static dev.stackshare.client.fuse.ReplyEncoderTest.junk;
import static dev.stackshare.client.fuse.ReplyEncoderTest.written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DirectoryListingTest {
    private static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertDirentAt(ByteBuffer w, int at, long ino, long off, String name, int type) {
        byte[] n = name(name);
        assertEquals(ino, w.getLong(at));
        assertEquals(off, w.getLong(at + 8));
        assertEquals(n.length, w.getInt(at + 16));
        assertEquals(type, w.getInt(at + 20));
        for (int i = 0; i < n.length; i++) {
            assertEquals(n[i], w.get(at + 24 + i));
        }
        for (int i = 24 + n.length; i < DirectoryListing.direntSize(n.length); i++) {
            assertEquals(0, w.get(at + i), "padding at " + (at + i));
        }
    }

    @Test
    void recordsArePaddedTo8() {
        assertEquals(32, DirectoryListing.direntSize(1));
        assertEquals(32, DirectoryListing.direntSize(8));
        assertEquals(40, DirectoryListing.direntSize(9));
        assertEquals(128 + 32, DirectoryListing.direntplusSize(5));
    }

    @Test
    void fillsExactlyToTheRequestedSize() {
        // "a" 32 + "bcdefghij" 40 + "k" 32 = 104: the size of the request
        ByteBuffer out = junk(4096);
        DirectoryListing listing = new DirectoryListing(out, 21, 104, false);
        assertTrue(listing.add(2, name("a"), DirectoryListing.DT_DIR, 1));
        assertTrue(listing.add(3, name("bcdefghij"), DirectoryListing.DT_REG, 2));
        assertTrue(listing.add(4, name("k"), DirectoryListing.DT_LNK, 3));
        assertFalse(listing.add(5, name("l"), DirectoryListing.DT_REG, 4));
        assertEquals(3, listing.count());
        assertEquals(104, listing.size());
        listing.finish();
        ByteBuffer w = header(written(out), 16 + 104, 0, 21);
        assertDirentAt(w, 16, 2, 1, "a", 4);
        assertDirentAt(w, 48, 3, 2, "bcdefghij", 8);
        assertDirentAt(w, 88, 4, 3, "k", 10);
    }

    /** Adds regular files (ino 2, 3, ..., offsets 1, 2, ...) until one does not fit; how many did. */
    private static int fill(DirectoryListing listing, String... names) {
        for (int i = 0; i < names.length; i++) {
            if (!listing.add(i + 2, name(names[i]), DirectoryListing.DT_REG, i + 1)) {
                return i;
            }
        }
        return names.length;
    }

    @Test
    void anEntryThatDoesNotFitIsNotHalfWritten() {
        ByteBuffer out = junk(4096);
        DirectoryListing listing = new DirectoryListing(out, 22, 60, false);
        assertEquals(1, fill(listing, "a", "bcdefghij"));
        assertFalse(listing.add(4, name("k"), DirectoryListing.DT_REG, 3), "28 bytes left, 32 needed");
        listing.finish();
        header(written(out), 16 + 32, 0, 22);
    }

    @Test
    void aSmallBufferLimitsLikeASmallSize() {
        ByteBuffer out = junk(16 + 40);
        DirectoryListing listing = new DirectoryListing(out, 23, 4096, false);
        assertEquals(1, fill(listing, "a", "b"));
        listing.finish();
        header(written(out), 48, 0, 23);
    }

    @Test
    void emptyListingIsTheEndOfTheDirectory() {
        ByteBuffer out = junk(64);
        new DirectoryListing(out, 24, 4096, false).finish();
        header(written(out), 16, 0, 24);
    }

    @Test
    void plusEntriesCarryTheirLookup() {
        ByteBuffer out = junk(4096);
        EntryOut e = new EntryOut(42, 1, 1_000_000_000L, 2_000_000_000L, ReplyEncoderTest.ATTR);
        int size = DirectoryListing.direntplusSize(7) + DirectoryListing.direntplusSize(1);
        DirectoryListing listing = new DirectoryListing(out, 25, size, true);
        assertTrue(listing.add(e, name("main.py"), DirectoryListing.DT_REG, 7));
        assertTrue(listing.add(EntryOut.negative(0), name("x"), DirectoryListing.DT_UNKNOWN, 8));
        assertFalse(listing.add(e, name("y"), DirectoryListing.DT_REG, 9));
        listing.finish();
        ByteBuffer w = header(written(out), 16 + size, 0, 25);
        assertEntryAt(w, 16, e, 1, 0, 2, 0);
        assertDirentAt(w, 16 + 128, ReplyEncoderTest.ATTR.ino(), 7, "main.py", 8);
        int second = 16 + DirectoryListing.direntplusSize(7);
        assertEquals(0, w.getLong(second));
        assertDirentAt(w, second + 128, 0, 8, "x", 0);
    }

    @Test
    void misuseIsRefused() {
        ByteBuffer out = junk(4096);
        DirectoryListing plain = new DirectoryListing(out, 1, 4096, false);
        assertThrows(IllegalStateException.class, () -> plain.add(EntryOut.negative(0), name("a"), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> plain.add(1, name("a/b"), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> plain.add(1, new byte[0], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> plain.add(1, name("a"), 16, 1));
        assertEquals(0, plain.size());
        plain.finish();
        assertThrows(IllegalStateException.class, () -> plain.add(1, name("a"), 0, 1));
        assertThrows(IllegalStateException.class, plain::finish);
        DirectoryListing plus = new DirectoryListing(out, 1, 4096, true);
        assertThrows(IllegalStateException.class, () -> plus.add(1, name("a"), 0, 1));
    }
}
