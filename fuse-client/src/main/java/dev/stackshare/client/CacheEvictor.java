package dev.stackshare.client;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's disk cache under a size bound by deleting the least recently used objects.
 *
 * <p>Recency is the file's modification time: an insert sets it, and a read that finds it older
 * than {@link #TOUCH_INTERVAL} sets it again (so a hot object costs one extra system call an
 * interval, not one a read). Every mount and process on the node shares the objects, so the
 * usage is learnt by walking the directory, not from one process's inserts: each process counts
 * its own inserts on top of the last walk, and once that passes the bound it walks again (seeing
 * everyone's objects) and deletes the oldest until the cache is at {@link #LOW_WATER} of the
 * bound. The bound is therefore soft: several processes inserting at once may pass it by what
 * they insert between two walks. Deleting is safe against other processes: a reader that has the
 * file open keeps its bytes, and one that finds it gone fetches it again; a temporary file is
 * deleted only when it is old enough to be an abandoned insert.
 */
final class CacheEvictor {
    private static final Logger log = LoggerFactory.getLogger(CacheEvictor.class);
    static final Duration TOUCH_INTERVAL = Duration.ofMinutes(10);
    /** An eviction deletes down to this fraction of the bound, so the next one is not one insert away. */
    static final double LOW_WATER = 0.9;
    /** A temporary file this old belongs to an insert that died. */
    static final Duration ABANDONED_TEMP = Duration.ofHours(1);

    private final Path objects;
    private final long bound;
    private final Clock clock;
    private final Executor background;
    /** Bytes on disk at the last walk plus what this process inserted since; -1 before the first walk. */
    private final AtomicLong estimate = new AtomicLong(-1);
    private final AtomicBoolean running = new AtomicBoolean();

    /** @param background where walks and deletions run, never on a reader's thread */
    CacheEvictor(Path objects, long bound, Clock clock, Executor background) {
        if (bound <= 0) {
            throw new IllegalArgumentException("disk cache size must be > 0 bytes, got " + bound);
        }
        this.objects = objects;
        this.bound = bound;
        this.clock = clock;
        this.background = background;
    }

    long bound() {
        return bound;
    }

    /** Bytes the cache holds as far as this process knows; -1 before the first walk. */
    long estimate() {
        return estimate.get();
    }

    /** Counts an insert; starts an eviction in the background when the cache may have passed its bound. */
    void inserted(long bytes) {
        long now = estimate.accumulateAndGet(bytes, (e, b) -> e < 0 ? e : e + b);
        if (now > bound) {
            schedule();
        }
    }

    /** Marks a read object as recently used, when its time is older than {@link #TOUCH_INTERVAL}. */
    void used(Path file, FileTime modified) {
        FileTime now = FileTime.from(clock.instant());
        if (modified.toInstant().plus(TOUCH_INTERVAL).isBefore(now.toInstant())) {
            try {
                Files.setLastModifiedTime(file, now);
            } catch (IOException e) {
                // Another member's file in a shared cache, or just evicted: only recency is lost.
                log.debug("cannot mark {} as used: {}", file, e.getMessage());
            }
        }
    }

    /** Walks the cache (and evicts if it is over its bound) in the background. */
    void schedule() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            background.execute(() -> {
                try {
                    evict();
                } catch (IOException | RuntimeException e) {
                    log.warn("cannot keep the disk cache {} under {} bytes: {}", objects.getParent(), bound, e.getMessage());
                } finally {
                    running.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            running.set(false);
        }
    }

    /**
     * Walks every object; when they pass the bound, deletes the least recently used down to
     * {@link #LOW_WATER} of it. Returns the bytes left.
     */
    long evict() throws IOException {
        List<Item> items = walk();
        long total = items.stream().mapToLong(Item::bytes).sum();
        if (total > bound) {
            long target = (long) (bound * LOW_WATER);
            items.sort(Comparator.comparing(Item::used));
            int deleted = 0;
            long freed = 0;
            for (Item item : items) {
                if (total <= target) {
                    break;
                }
                if (Files.deleteIfExists(item.path())) {
                    deleted++;
                    freed += item.bytes();
                }
                total -= item.bytes();
            }
            log.info("disk cache {} was over its bound of {} bytes: deleted the {} least recently used objects ({} bytes)",
                    objects.getParent(), bound, deleted, freed);
        }
        estimate.set(total);
        return total;
    }

    private record Item(Path path, long bytes, FileTime used) {
    }

    private List<Item> walk() throws IOException {
        List<Item> items = new ArrayList<>();
        FileTime abandoned = FileTime.from(clock.instant().minus(ABANDONED_TEMP));
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(objects)) {
            for (Path prefix : prefixes) {
                if (!Files.isDirectory(prefix, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                    for (Path f : files) {
                        BasicFileAttributes a;
                        try {
                            a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        } catch (NoSuchFileException e) {
                            continue; // evicted or renamed meanwhile
                        }
                        if (f.getFileName().toString().startsWith(DiskCache.TEMP_PREFIX)) {
                            if (a.lastModifiedTime().compareTo(abandoned) < 0) {
                                Files.deleteIfExists(f);
                            }
                        } else if (a.isRegularFile()) {
                            items.add(new Item(f, a.size(), a.lastModifiedTime()));
                        }
                    }
                } catch (NoSuchFileException e) {
                    // a prefix dir removed by someone else
                }
            }
        }
        return items;
    }
}
