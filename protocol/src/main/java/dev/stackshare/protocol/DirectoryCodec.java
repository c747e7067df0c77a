package dev.stackshare.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Canonical binary form of a {@link Directory}.
 *
 * <pre>
 * +--------+-----------+------------------------------------------------+
 * | "SSD1" | u32 count | entry * count (sorted by UTF-8 name bytes)     |
 * +--------+-----------+------------------------------------------------+
 * entry:
 * +---------+-------------+-------+----------+----------+-------------+---------------------+
 * | u8 kind | u16 namelen | name  | u32 mode | u64 size | i64 mtimeNs | payload             |
 * +---------+-------------+-------+----------+----------+-------------+---------------------+
 * kind 1 file: payload = 32-byte content digest (chunk, or chunk list when size > chunk size)
 * kind 2 dir:  payload = 32-byte digest of the child directory object
 * kind 3 link: payload = u16 target length + UTF-8 target
 * </pre>
 * All integers are big-endian. Decoding accepts only what encoding produces: sorted, unique,
 * valid names and no trailing bytes, so a decoded directory re-encodes to the same bytes.
 */
public final class DirectoryCodec {
    private static final int MAGIC = 0x53534431; // "SSD1"
    private static final byte FILE = 1;
    private static final byte DIR = 2;
    private static final byte SYMLINK = 3;
    private static final int MIN_ENTRY_BYTES = 1 + 2 + 1 + 4 + 8 + 8 + 2 + 1;

    private DirectoryCodec() {
    }

    public static byte[] encode(Directory directory) {
        List<byte[]> names = new ArrayList<>(directory.entries().size());
        int size = 8;
        for (Entry e : directory.entries()) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            names.add(name);
            size += 1 + 2 + name.length + 4 + 8 + 8;
            size += e instanceof Entry.Symlink s ? 2 + s.target().getBytes(StandardCharsets.UTF_8).length : Digest.BYTES;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(MAGIC).putInt(directory.entries().size());
        int i = 0;
        for (Entry e : directory.entries()) {
            byte[] name = names.get(i++);
            byte kind = e instanceof Entry.File ? FILE : e instanceof Entry.Dir ? DIR : SYMLINK;
            out.put(kind).putShort((short) name.length).put(name);
            out.putInt(e.mode()).putLong(e.size()).putLong(e.mtimeNanos());
            if (e instanceof Entry.File f) {
                f.content().putInto(out);
            } else if (e instanceof Entry.Dir d) {
                d.tree().putInto(out);
            } else {
                byte[] target = ((Entry.Symlink) e).target().getBytes(StandardCharsets.UTF_8);
                out.putShort((short) target.length).put(target);
            }
        }
        return out.array();
    }

    public static Directory decode(byte[] bytes) throws ProtocolException {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.getInt() != MAGIC) {
                throw new ProtocolException("not a directory object (bad magic)");
            }
            int count = in.getInt();
            // The smallest entry (a symlink with one-byte name and target) takes 27 bytes, so a
            // count the bytes cannot hold is refused before anything is allocated for it.
            if (count < 0 || count > Directory.MAX_ENTRIES || (long) count * MIN_ENTRY_BYTES > in.remaining()) {
                throw new ProtocolException("directory object claims " + count + " entries in " + bytes.length + " bytes");
            }
            List<Entry> entries = new ArrayList<>(count);
            String previous = null;
            for (int i = 0; i < count; i++) {
                Entry e = decodeEntry(in);
                if (previous != null && Directory.NAME_ORDER.compare(previous, e.name()) >= 0) {
                    throw new ProtocolException("directory object entries are not sorted and unique at " + e.name());
                }
                previous = e.name();
                entries.add(e);
            }
            if (in.hasRemaining()) {
                throw new ProtocolException("directory object has " + in.remaining() + " trailing bytes");
            }
            return new Directory(entries);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("directory object is truncated", e);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("directory object holds an invalid entry: " + e.getMessage(), e);
        }
    }

    /**
     * Where each entry of a directory object starts, in order, so a reader can keep the object's
     * bytes and decode one entry when asked ({@link #decodeEntryAt}), instead of holding every
     * entry as objects: for a million-file snapshot that is the difference between about 80 and
     * 300 bytes a file. Checks the object as {@link #decode} does.
     */
    public static int[] entryOffsets(byte[] bytes) throws ProtocolException {
        int count = decode(bytes).entries().size();
        int[] offsets = new int[count];
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(8);
        for (int i = 0; i < count; i++) {
            offsets[i] = in.position();
            byte kind = in.get();
            int nameLength = Short.toUnsignedInt(in.getShort());
            in.position(in.position() + nameLength + 4 + 8 + 8);
            if (kind == SYMLINK) {
                int targetLength = Short.toUnsignedInt(in.getShort());
                in.position(in.position() + targetLength);
            } else {
                in.position(in.position() + Digest.BYTES);
            }
        }
        return offsets;
    }

    /** The entry at an offset {@link #entryOffsets} gave for these bytes. */
    public static Entry decodeEntryAt(byte[] bytes, int offset) throws ProtocolException {
        try {
            return decodeEntry(ByteBuffer.wrap(bytes).position(offset));
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new ProtocolException("no directory entry at offset " + offset, e);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("directory object holds an invalid entry: " + e.getMessage(), e);
        }
    }

    /**
     * Compares the name of the entry at {@code offset} with {@code name} (UTF-8) in the order
     * entries are sorted in, without decoding the entry: a binary search over
     * {@link #entryOffsets} finds a name in a kept object.
     */
    public static int compareNameAt(byte[] bytes, int offset, byte[] name) {
        int length = ((bytes[offset + 1] & 0xff) << 8) | (bytes[offset + 2] & 0xff);
        return Arrays.compareUnsigned(bytes, offset + 3, offset + 3 + length, name, 0, name.length);
    }

    /** Whether the entry at {@code offset} is a directory. */
    public static boolean isDirectoryAt(byte[] bytes, int offset) {
        return bytes[offset] == DIR;
    }

    private static Entry decodeEntry(ByteBuffer in) throws ProtocolException {
        byte kind = in.get();
        String name = utf8(in, Short.toUnsignedInt(in.getShort()));
        int mode = in.getInt();
        long size = in.getLong();
        long mtime = in.getLong();
        switch (kind) {
            case FILE:
                return new Entry.File(name, mode, size, mtime, digest(in));
            case DIR:
                return new Entry.Dir(name, mode, size, mtime, digest(in));
            case SYMLINK:
                String target = utf8(in, Short.toUnsignedInt(in.getShort()));
                Entry.Symlink link = new Entry.Symlink(name, mtime, target);
                if (mode != link.mode() || size != link.size()) {
                    throw new ProtocolException("symlink " + name + " has a non-canonical mode or size");
                }
                return link;
            default:
                throw new ProtocolException("unknown entry kind " + kind);
        }
    }

    private static Digest digest(ByteBuffer in) {
        byte[] raw = new byte[Digest.BYTES];
        in.get(raw);
        return Digest.fromBytes(raw);
    }

    private static String utf8(ByteBuffer in, int length) throws ProtocolException {
        if (length > in.remaining()) {
            throw new ProtocolException("directory object is truncated");
        }
        ByteBuffer slice = in.slice().limit(length);
        in.position(in.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("directory object holds a name that is not UTF-8", e);
        }
    }
}
