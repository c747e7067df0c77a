package dev.stackshare.client;

import dev.stackshare.protocol.Chunking;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.ProtocolException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves byte ranges of files from their chunks: a read fetches only the chunks that cover it,
 * and a sequential read also starts fetching the next chunk in the background, so a reader
 * streaming a big file rarely waits for the network.
 */
final class FileReader {
    private static final Logger log = LoggerFactory.getLogger(FileReader.class);

    /** Where read bytes go: the FUSE buffer in production, an array in tests. */
    @FunctionalInterface
    interface Sink {
        void put(long at, byte[] src, int offset, int length);
    }

    private final ObjectSource source;
    private final int chunkSize;
    private final Executor readAhead;
    /** Told of every chunk a read used, when the mount records a trace; else null. */
    private final TraceRecorder trace;

    FileReader(ObjectSource source, int chunkSize, Executor readAhead) {
        this(source, chunkSize, readAhead, null);
    }

    FileReader(ObjectSource source, int chunkSize, Executor readAhead, TraceRecorder trace) {
        Chunking.checkChunkSize(chunkSize);
        this.source = source;
        this.chunkSize = chunkSize;
        this.readAhead = readAhead;
        this.trace = trace;
    }

    /** Reads up to {@code length} bytes at {@code offset}: all of them unless the file ends first. */
    int read(ReadState file, long offset, int length, Sink sink) throws IOException {
        long size = file.size();
        if (offset < 0 || length <= 0 || offset >= size) {
            return 0;
        }
        long end = Math.min(size, offset + length);
        int first = (int) (offset / chunkSize);
        int last = (int) ((end - 1) / chunkSize);
        boolean sequential = file.advance(offset, end) || offset == 0;
        List<Digest> chunks = file.chunks();
        if (sequential && last + 1 < chunks.size() && file.claimReadAhead(last + 1)) {
            // Started before the chunks below are fetched, so the two fetches overlap.
            prefetch(file, last + 1);
        }
        long position = offset;
        int written = 0;
        for (int i = first; i <= last; i++) {
            byte[] chunk = chunk(file, i);
            int from = (int) (position - (long) i * chunkSize);
            int n = (int) Math.min(chunk.length - from, end - position);
            sink.put(written, chunk, from, n);
            written += n;
            position += n;
        }
        return written;
    }

    private byte[] chunk(ReadState file, int index) throws IOException {
        Digest digest = file.chunks().get(index);
        byte[] chunk;
        try {
            chunk = source.get(digest);
        } catch (IOException e) {
            throw new IOException("chunk " + index + " (" + digest.hex() + ") of " + file.path() + ": " + e.getMessage(), e);
        }
        if (trace != null) {
            trace.read(digest);
        }
        int expected = Chunking.chunkLength(file.size(), chunkSize, index);
        if (chunk.length != expected) {
            throw new ProtocolException("chunk " + index + " (" + digest.hex() + ") of " + file.path() + " has "
                    + chunk.length + " bytes, the file's size says " + expected);
        }
        return chunk;
    }

    private void prefetch(ReadState file, int index) {
        Digest digest = file.chunks().get(index);
        try {
            readAhead.execute(() -> {
                try {
                    source.get(digest);
                } catch (IOException | RuntimeException e) {
                    // The real read will fetch it again and report the failure where it matters.
                    log.debug("read-ahead of chunk {} ({}) of {} failed: {}", index, digest.shortHex(), file.path(), e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("read-ahead skipped, the mount is closing");
        }
    }
}
