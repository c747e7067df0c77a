package dev.stackshare.server;

import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one regular file into chunks and hashes them, reading through a {@link RegularFile} one
 * chunk at a time so a file of any size costs one chunk of memory. Whatever took the file's
 * place since the walk saw it (a fifo, a symlink) is never read: it is reported
 * ({@link NotRegularFileException}). A file that changes while it
 * is read (its stat differs before and after, or it ends early or runs long) is read again; one
 * that keeps changing is reported ({@link FileKeepsChangingException}), because a snapshot must
 * never mix two versions.
 */
final class FileHasher {
    static final int MAX_ATTEMPTS = 3;

    /** Receives each chunk's bytes as they are hashed: a live root freezes them, a stable one ignores them. */
    interface ChunkSink {
        ChunkSink IGNORE = (digest, buf, length) -> { };

        void accept(Digest digest, byte[] buf, int length) throws IOException;
    }

    /** Called after each chunk is read; lets a test change the file at an exact moment. */
    interface ReadListener {
        ReadListener NONE = (file, index) -> { };

        void chunkRead(Path file, int index) throws IOException;
    }

    /** A file as read: the stat that held before and after, and its chunks in order. */
    record Hashed(FileStat stat, List<Digest> chunks) {
        Hashed {
            chunks = List.copyOf(chunks);
        }
    }

    private final int chunkSize;
    private final ReadListener listener;
    private final ThreadLocal<byte[]> buffers;
    /** What the native read fills, then copied to the chunk's array: no copy of it in and out of native memory. */
    private final ThreadLocal<ByteBuffer> direct;

    FileHasher(int chunkSize, ReadListener listener) {
        Chunking.checkChunkSize(chunkSize);
        this.chunkSize = chunkSize;
        this.listener = listener;
        this.buffers = ThreadLocal.withInitial(() -> new byte[chunkSize]);
        this.direct = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(chunkSize));
    }

    int chunkSize() {
        return chunkSize;
    }

    /**
     * Hashes {@code file}, which {@code before} says is a regular file.
     *
     * @throws java.nio.file.NoSuchFileException if it vanished, which the scanner treats as deleted
     * @throws NotRegularFileException if something else took its place
     * @throws FileKeepsChangingException if it changed on every attempt
     */
    Hashed hash(Path file, FileStat before, ChunkSink sink) throws IOException {
        FileStat expected = before;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            List<Digest> chunks = readOnce(file, expected, sink);
            FileStat after = FileStat.lstat(file);
            if (chunks != null && after.sameFileUnchanged(expected)) {
                return new Hashed(after, chunks);
            }
            if (!after.isRegularFile()) {
                throw new NotRegularFileException(file, after.kind());
            }
            expected = after;
        }
        throw new FileKeepsChangingException("file " + file + " changed while it was read, " + MAX_ATTEMPTS
                + " times; publish again once whatever writes it has finished");
    }

    /** The chunk digests, or null when the file opened is not the one {@code expected} describes. */
    private List<Digest> readOnce(Path file, FileStat expected, ChunkSink sink) throws IOException {
        byte[] buf = buffers.get();
        ByteBuffer window = direct.get();
        long size = expected.size();
        int count = Chunking.chunkCount(size, chunkSize);
        List<Digest> chunks = new ArrayList<>(count);
        try (RegularFile f = RegularFile.open(file)) {
            if (!f.stat().sameFileUnchanged(expected)) {
                return null;
            }
            long position = 0;
            for (int i = 0; i < count; i++) {
                int length = Chunking.chunkLength(size, chunkSize, i);
                window.clear().limit(length);
                if (!f.readFully(window, position)) {
                    return null;
                }
                window.flip().get(buf, 0, length);
                Digest digest = Digest.of(buf, 0, length);
                sink.accept(digest, buf, length);
                chunks.add(digest);
                position += length;
                listener.chunkRead(file, i);
            }
            // One byte past the end tells a file that grew from one that did not.
            if (f.readFully(window.clear().limit(1), position)) {
                return null;
            }
        }
        return chunks;
    }
}
