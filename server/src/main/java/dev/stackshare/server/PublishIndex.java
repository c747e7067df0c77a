package dev.stackshare.server;

import dev.stackshare.protocol.ChunkList;
import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the last publish learned about each regular file, like git's index: real path → the
 * {@code lstat} fields a write, truncate, chmod or replace changes → the file's chunk digests. A
 * re-publish trusts an entry whose stat is unchanged and reads only the other files.
 *
 * <h2>Racy entries</h2>
 * A file written twice within one tick of the file system's clock keeps its stat. So each index
 * records a <em>stamp</em>: the file system's own time (the mtime of a file just created in the
 * state dir) taken <em>before</em> the scan that made the index read anything. A later write to
 * any file gets an mtime and ctime of at least the stamp; an entry whose mtime or ctime is not
 * older than the stamp (minus {@link #RACY_WINDOW_NANOS}, which covers coarser timestamps on the
 * roots' file systems and the kernel's coarse clock) may have changed unseen, and is read again.
 *
 * <h2>File format (big-endian), {@code STATE/index}</h2>
 * <pre>
 * +--------+-------------+---------------+--------------+-----------+---------------------+
 * | "SSX1" | u32 version | u32 chunkSize | i64 stampNs  | u32 count | entry * count       |
 * +--------+-------------+---------------+--------------+-----------+---------------------+
 * followed by the 32-byte SHA-256 of every byte before it.
 * entry:
 * +------------+------------+--------+---------+---------+----------+----------+----------+----------+-----------+------------+
 * | u16 shared | u16 suffix | suffix | u64 dev | u64 ino | u32 mode | u64 size | i64 mtime| i64 ctime| u32 chunks| 32 * chunks|
 * +------------+------------+--------+---------+---------+----------+----------+----------+----------+-----------+------------+
 * path = first {@code shared} UTF-8 bytes of the previous entry's path + {@code suffix} bytes;
 * entries in the order of the walk that made them
 * </pre>
 * The file is written whole to a temporary file and renamed over the old one, so a server that
 * dies mid-write leaves the old index. A file that is short, long, of another version or chunk
 * size, or whose checksum does not match is ignored with a warning: the next publish reads every
 * file, which is slow but never wrong.
 */
final class PublishIndex {
    private static final Logger LOG = LoggerFactory.getLogger(PublishIndex.class);
    static final int VERSION = 1;
    private static final byte[] MAGIC = {'S', 'S', 'X', '1'};
    private static final int HEADER = 4 + 4 + 4 + 8 + 4;
    private static final int FIXED_ENTRY = 2 + 2 + 8 + 8 + 4 + 8 + 8 + 8 + 4;
    /** Files changed this close to the stamp are not trusted: 2 s covers 1 s and FAT's 2 s timestamps. */
    static final long RACY_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** The file system's current time, as it would stamp a file written now. */
    interface Clock {
        long nowNanos() throws IOException;

        /** Creates a file in {@code dir}, reads its mtime and deletes it. */
        static Clock fileSystem(Path dir) {
            return () -> {
                Path probe = Files.createTempFile(dir, ".stamp-", "");
                try {
                    return FileStat.lstat(probe).mtimeNanos();
                } finally {
                    Files.deleteIfExists(probe);
                }
            };
        }
    }

    /**
     * One file as the index knows it. {@code chunks} are the file's chunk digests in order;
     * {@code content} is what a directory entry names (the single chunk, or the chunk list).
     */
    record Entry(String path, long dev, long ino, int rawMode, long size, long mtimeNanos, long ctimeNanos,
                 Digest content, List<Digest> chunks) {
        Entry {
            chunks = List.copyOf(chunks);
        }

        static Entry of(String path, FileStat stat, Digest content, List<Digest> chunks) {
            return new Entry(path, stat.dev(), stat.ino(), stat.rawMode(), stat.size(), stat.mtimeNanos(),
                    stat.ctimeNanos(), content, chunks);
        }

        boolean matches(FileStat stat) {
            return dev == stat.dev() && ino == stat.ino() && rawMode == stat.rawMode() && size == stat.size()
                    && mtimeNanos == stat.mtimeNanos() && ctimeNanos == stat.ctimeNanos();
        }
    }

    private final int chunkSize;
    private final long stampNanos;
    private final Map<String, Entry> entries;
    /** The entries in the order they came (the walk's), which is the order they are written in. */
    private final List<Entry> order;

    private PublishIndex(int chunkSize, long stampNanos, Map<String, Entry> entries, List<Entry> order) {
        this.chunkSize = chunkSize;
        this.stampNanos = stampNanos;
        this.entries = entries;
        this.order = order;
    }

    static PublishIndex empty(int chunkSize) {
        return new PublishIndex(chunkSize, Long.MIN_VALUE, Map.of(), List.of());
    }

    /** The entries of one scan, stamped with the file system time taken before it read anything. */
    static PublishIndex of(int chunkSize, long stampNanos, List<Entry> entries) {
        Map<String, Entry> map = new HashMap<>(entries.size() * 4 / 3 + 1);
        List<Entry> order = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (map.put(e.path(), e) == null) {
                order.add(e);
            }
        }
        return new PublishIndex(chunkSize, stampNanos, map, order);
    }

    int size() {
        return entries.size();
    }

    long stampNanos() {
        return stampNanos;
    }

    /**
     * The entry for {@code path} if its stat is exactly {@code stat} and it is not racy; null
     * when the file must be read.
     */
    Entry lookup(String path, FileStat stat) {
        Entry e = entries.get(path);
        if (e == null || !e.matches(stat) || isRacy(e)) {
            return null;
        }
        return e;
    }

    boolean isRacy(Entry e) {
        // Saturating: a stamp near Long.MIN_VALUE must not wrap around and trust everything.
        long trustedBefore = stampNanos < Long.MIN_VALUE + RACY_WINDOW_NANOS ? Long.MIN_VALUE
                : stampNanos - RACY_WINDOW_NANOS;
        return e.mtimeNanos() >= trustedBefore || e.ctimeNanos() >= trustedBefore;
    }

    /** Whether a scan that found exactly {@code found} entries, all unchanged, can keep this index as it is. */
    boolean sameAs(List<Entry> found) {
        if (found.size() != entries.size()) {
            return false;
        }
        for (Entry e : found) {
            if (!e.equals(entries.get(e.path()))) {
                return false;
            }
        }
        return true;
    }

    /** Reads an index file; an empty index (with a warning if the file exists but is damaged) when it cannot be trusted. */
    static PublishIndex load(Path file, int chunkSize) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return empty(chunkSize);
        } catch (IOException e) {
            LOG.warn("cannot read the publish index {} ({}); ignoring it, so the next publish reads every file",
                    file, e.toString());
            return empty(chunkSize);
        }
        try {
            return decode(bytes, chunkSize);
        } catch (IndexFormatException e) {
            LOG.warn("publish index {} is damaged ({}); ignoring it, so the next publish reads every file",
                    file, e.getMessage());
            return empty(chunkSize);
        }
    }

    /** Writes the index to {@code file} atomically (temporary file, then rename). */
    void save(Path file) throws IOException {
        AtomicFiles.write(file, encode());
    }

    byte[] encode() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(HEADER + entries.size() * (FIXED_ENTRY + 48) + 32);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(chunkSize);
            out.writeLong(stampNanos);
            out.writeInt(order.size());
            // In walk order: the files of one directory follow each other and share long prefixes.
            byte[] previous = new byte[0];
            for (Entry e : order) {
                byte[] path = e.path().getBytes(StandardCharsets.UTF_8);
                int mismatch = Arrays.mismatch(previous, path);
                int shared = Math.min(0xFFFF, mismatch < 0 ? path.length : mismatch);
                int suffix = path.length - shared;
                if (suffix > 0xFFFF) {
                    throw new IllegalStateException("path longer than 65535 bytes: " + e.path());
                }
                out.writeShort(shared);
                out.writeShort(suffix);
                out.write(path, shared, suffix);
                out.writeLong(e.dev());
                out.writeLong(e.ino());
                out.writeInt(e.rawMode());
                out.writeLong(e.size());
                out.writeLong(e.mtimeNanos());
                out.writeLong(e.ctimeNanos());
                out.writeInt(e.chunks().size());
                for (Digest d : e.chunks()) {
                    out.write(d.toBytes());
                }
                previous = path;
            }
            out.flush();
            byte[] body = buf.toByteArray();
            MessageDigest sha = Digest.newSha256();
            sha.update(body);
            out.write(sha.digest());
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return buf.toByteArray();
    }

    static PublishIndex decode(byte[] bytes, int chunkSize) throws IndexFormatException {
        if (bytes.length < HEADER + Digest.BYTES) {
            throw new IndexFormatException("only " + bytes.length + " bytes");
        }
        int bodyLength = bytes.length - Digest.BYTES;
        MessageDigest sha = Digest.newSha256();
        sha.update(bytes, 0, bodyLength);
        if (!MessageDigest.isEqual(sha.digest(), Arrays.copyOfRange(bytes, bodyLength, bytes.length))) {
            throw new IndexFormatException("checksum does not match: truncated or corrupted");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, bodyLength);
        try {
            byte[] magic = new byte[4];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IndexFormatException("not an index file");
            }
            int version = in.getInt();
            if (version != VERSION) {
                throw new IndexFormatException("version " + version + ", this server reads " + VERSION);
            }
            int fileChunkSize = in.getInt();
            if (fileChunkSize != chunkSize) {
                throw new IndexFormatException("chunk size " + fileChunkSize + ", the server uses " + chunkSize);
            }
            long stamp = in.getLong();
            int count = in.getInt();
            if (count < 0 || (long) count * FIXED_ENTRY > in.remaining()) {
                throw new IndexFormatException("count " + count + " does not fit the file");
            }
            List<Entry> entries = new ArrayList<>(count);
            byte[] previous = new byte[0];
            for (int i = 0; i < count; i++) {
                int shared = Short.toUnsignedInt(in.getShort());
                int suffix = Short.toUnsignedInt(in.getShort());
                if (shared > previous.length) {
                    throw new IndexFormatException("entry " + i + " shares more than the previous path");
                }
                byte[] path = Arrays.copyOf(previous, shared + suffix);
                in.get(path, shared, suffix);
                long dev = in.getLong();
                long ino = in.getLong();
                int mode = in.getInt();
                long size = in.getLong();
                long mtime = in.getLong();
                long ctime = in.getLong();
                int n = in.getInt();
                if (size < 0 || n != Chunking.chunkCount(size, chunkSize)) {
                    throw new IndexFormatException("entry " + i + " has " + n + " chunks for " + size + " bytes");
                }
                List<Digest> chunks = new ArrayList<>(n);
                byte[] raw = new byte[Digest.BYTES];
                for (int c = 0; c < n; c++) {
                    in.get(raw);
                    chunks.add(Digest.fromBytes(raw));
                }
                Digest content = Chunking.isChunked(size, chunkSize)
                        ? Digest.of(new ChunkList(chunks).encode()) : chunks.get(0);
                entries.add(new Entry(new String(path, StandardCharsets.UTF_8), dev, ino, mode, size, mtime, ctime,
                        content, chunks));
                previous = path;
            }
            if (in.hasRemaining()) {
                throw new IndexFormatException(in.remaining() + " bytes after the last entry");
            }
            return of(chunkSize, stamp, entries);
        } catch (BufferUnderflowException e) {
            throw new IndexFormatException("ends inside an entry");
        }
    }

    /** The index file cannot be trusted. */
    static final class IndexFormatException extends Exception {
        private static final long serialVersionUID = 1L;

        IndexFormatException(String message) {
            super(message);
        }
    }
}
