package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Entry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A file being read: what to read, and where the last read stopped, to spot sequential reading. */
final class ReadState {
    private final String path;
    private final Entry.File entry;
    private final List<Digest> chunks;
    /** Offset just past the last read; a read starting here is sequential. */
    private final AtomicLong nextOffset = new AtomicLong();
    /** Highest chunk index read ahead so far, so each chunk is read ahead at most once. */
    private final AtomicInteger readAheadMark = new AtomicInteger(-1);

    ReadState(String path, Entry.File entry, List<Digest> chunks) {
        this.path = path;
        this.entry = entry;
        this.chunks = List.copyOf(chunks);
    }

    String path() {
        return path;
    }

    long size() {
        return entry.size();
    }

    List<Digest> chunks() {
        return chunks;
    }

    /** Records a read of {@code [offset, end)} and tells whether it continued the previous one. */
    boolean advance(long offset, long end) {
        return nextOffset.getAndSet(end) == offset;
    }

    /** Claims read-ahead of chunk {@code index}; false if it was claimed before. */
    boolean claimReadAhead(int index) {
        return readAheadMark.getAndAccumulate(index, Math::max) < index;
    }
}
