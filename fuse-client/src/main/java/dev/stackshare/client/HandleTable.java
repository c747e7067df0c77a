package dev.stackshare.client;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** FUSE file handles: numbers the kernel passes back on every read, mapped to open files. */
final class HandleTable {
    private final ConcurrentHashMap<Long, OpenFile> open = new ConcurrentHashMap<>();
    /** Starts at 1: a handle of 0 means "none" to anyone reading a FUSE trace. */
    private final AtomicLong next = new AtomicLong(1);

    long add(OpenFile file) {
        long handle = next.getAndIncrement();
        open.put(handle, file);
        return handle;
    }

    /** The open file, or null for a handle this table never gave out (or already released). */
    OpenFile get(long handle) {
        return open.get(handle);
    }

    void remove(long handle) {
        open.remove(handle);
    }

    int size() {
        return open.size();
    }
}
