package dev.stackshare.protocol;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which objects {@code GET /v1/dirs/{digest}/files/{chunkSize}} answers: the content of every
 * non-empty file of the directory that is a single chunk, in the listing's order, each digest
 * once, skipping a file that would take the total past {@link #MAX_BYTES}. Server and client use
 * this one rule, so the client knows what the answer will hold before it asks, and the URL alone
 * names the answer (an HTTP cache may keep it).
 */
public final class SmallFiles {
    /** Raw bytes one directory's answer holds at most, so a directory of many big modules costs a bounded transfer. */
    public static final long MAX_BYTES = 16L * 1024 * 1024;

    private SmallFiles() {
    }

    public static List<Digest> of(Directory directory, int chunkSize) {
        return of(directory.entries(), chunkSize);
    }

    /** @param entries a directory's entries, in its listing's order */
    public static List<Digest> of(List<Entry> entries, int chunkSize) {
        Chunking.checkChunkSize(chunkSize);
        Set<Digest> picked = new LinkedHashSet<>();
        long bytes = 0;
        for (Entry e : entries) {
            if (e instanceof Entry.File f && f.size() > 0 && !Chunking.isChunked(f.size(), chunkSize)
                    && !picked.contains(f.content()) && bytes + f.size() <= MAX_BYTES) {
                picked.add(f.content());
                bytes += f.size();
            }
        }
        return new ArrayList<>(picked);
    }
}
