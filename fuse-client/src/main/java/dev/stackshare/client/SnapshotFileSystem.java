package dev.stackshare.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stackshare.protocol.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NotDirectoryException;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE adapter: a read-only view of one {@link SnapshotTree}. Every operation has the same
 * shape: ask the tree or the reader, which speak {@link IOException}, and turn the outcome into
 * errno here and only here. Called concurrently from libfuse's threads; all state it touches is
 * immutable or concurrent.
 */
class SnapshotFileSystem extends FuseStubFS {
    private static final int W_OK = 2;
    private static final int BLOCK_SIZE = 4096;
    /** The largest read libfuse2 passes (FUSE-NOTES): a good I/O size hint for readers. */
    private static final int IO_SIZE = 128 * 1024;
    private static final int NAME_MAX = 255;
    /** Files whose read state is kept: more than a job reads at once, a few hundred KB of heap. */
    private static final int READ_STATE_FILES = 4096;

    private final SnapshotTree tree;
    private final FileReader reader;
    private final Owner owner;
    /** Told of each file's first read, to fetch the directory's small files in one batch; null for none. */
    private final DirectoryBatcher batcher;
    private final Counters counters;

    private SnapshotFileSystem(SnapshotTree tree, FileReader reader, Owner owner, DirectoryBatcher batcher,
                               Counters counters) {
        this.tree = tree;
        this.reader = reader;
        this.owner = owner;
        this.batcher = batcher;
        this.counters = counters;
    }

    /**
     * The file system for a mount. Where the kernel opens files without asking a file system
     * that answered its first open with ENOSYS (Linux 5.1 and later: the open then keeps the
     * page cache, and no release follows), the first open is so answered, and a job's opens
     * never leave the kernel again. Elsewhere libfuse answers each open and release itself, as
     * it does when no open is given.
     */
    static SnapshotFileSystem of(SnapshotTree tree, FileReader reader, Owner owner, DirectoryBatcher batcher,
                                 Counters counters, KernelRelease kernel) {
        return kernel.opensWithoutAsking()
                ? new WithoutOpen(tree, reader, owner, batcher, counters)
                : new SnapshotFileSystem(tree, reader, owner, batcher, counters);
    }

    /** Refuses open, once: a subclass, since jnr-fuse registers with libfuse only the operations a class overrides. */
    private static final class WithoutOpen extends SnapshotFileSystem {
        private final Counters counters;

        WithoutOpen(SnapshotTree tree, FileReader reader, Owner owner, DirectoryBatcher batcher, Counters counters) {
            super(tree, reader, owner, batcher, counters);
            this.counters = counters;
        }

        @Override
        public int open(String path, FuseFileInfo fi) {
            counters.fuseOperation(FuseOperation.OPEN);
            return -ErrorCodes.ENOSYS();
        }
    }

    @Override
    public int getattr(String path, FileStat stat) {
        counters.fuseOperation(FuseOperation.GETATTR);
        try {
            fill(stat, tree.lookup(path));
            return 0;
        } catch (IOException | RuntimeException e) {
            return errno("getattr", path, e);
        }
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        counters.fuseOperation(FuseOperation.READDIR);
        try {
            if (!(tree.lookup(path) instanceof Entry.Dir dir)) {
                throw new NotDirectoryException(path);
            }
            // Offset 0 for every entry: libfuse2 then collects the whole listing in one call.
            if (add(filler, buf, ".") && add(filler, buf, "..")) {
                for (Entry e : tree.list(dir).entries()) {
                    if (!add(filler, buf, e.name())) {
                        break;
                    }
                }
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            return errno("readdir", path, e);
        }
    }

    /**
     * The files being read, by path: where each read stopped and what was read ahead. There is no
     * {@code open} or {@code release} here on purpose: each would be one more trip from the job into
     * this process for every file it opens (3,200 of the corpus job's 7,600 trips),
     * and libfuse answers both itself when the filesystem does not implement them; the
     * {@code kernel_cache} mount option keeps the kernel's pages across opens, as an open setting
     * {@code keep_cache} would. Bounded: an evicted file only loses its read-ahead state.
     */
    private final Cache<String, ReadState> reading = Caffeine.newBuilder().maximumSize(READ_STATE_FILES).build();

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        counters.fuseOperation(FuseOperation.READ);
        try {
            ReadState file = reading.getIfPresent(path);
            if (file == null) {
                file = firstRead(path);
                if (file == null) {
                    return -ErrorCodes.EISDIR();
                }
            }
            int length = (int) Math.min(size, Integer.MAX_VALUE);
            return reader.read(file, offset, length, (at, src, from, n) -> buf.put(at, src, from, n));
        } catch (IOException | RuntimeException e) {
            return errno("read", path, e);
        }
    }

    /**
     * A file's first read on this mount (or since its state was evicted): the cue for the
     * directory's batch. Null when the path is not a regular file.
     */
    private ReadState firstRead(String path) throws IOException {
        if (!(tree.lookup(path) instanceof Entry.File entry)) {
            return null;
        }
        ReadState file = new ReadState(path, entry, tree.chunks(entry));
        ReadState raced = reading.asMap().putIfAbsent(path, file);
        if (raced != null) {
            return raced;
        }
        if (batcher != null) {
            batcher.firstRead(path, entry);
        }
        return file;
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        counters.fuseOperation(FuseOperation.READLINK);
        try {
            if (!(tree.lookup(path) instanceof Entry.Symlink link)) {
                return -ErrorCodes.EINVAL();
            }
            if (size <= 0) {
                return -ErrorCodes.EINVAL();
            }
            byte[] target = link.target().getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        } catch (IOException | RuntimeException e) {
            return errno("readlink", path, e);
        }
    }

    @Override
    public int statfs(String path, Statvfs stat) {
        counters.fuseOperation(FuseOperation.STATFS);
        stat.f_bsize.set(BLOCK_SIZE);
        stat.f_frsize.set(BLOCK_SIZE);
        stat.f_blocks.set((tree.totalBytes() + BLOCK_SIZE - 1) / BLOCK_SIZE);
        stat.f_bfree.set(0);
        stat.f_bavail.set(0);
        stat.f_files.set(tree.totalFiles());
        stat.f_ffree.set(0);
        stat.f_favail.set(0);
        stat.f_namemax.set(NAME_MAX);
        stat.f_flag.set(Statvfs.ST_RDONLY | Statvfs.ST_NOSUID | Statvfs.ST_NODEV);
        return 0;
    }

    @Override
    public int access(String path, int mask) {
        counters.fuseOperation(FuseOperation.ACCESS);
        try {
            tree.lookup(path);
            return (mask & W_OK) != 0 ? -ErrorCodes.EROFS() : 0;
        } catch (IOException | RuntimeException e) {
            return errno("access", path, e);
        }
    }

    // Every operation that would change the snapshot: it is immutable.

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int mkdir(String path, long mode) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int unlink(String path) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int rmdir(String path) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int link(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int chmod(String path, long mode) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int truncate(String path, long size) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int removexattr(String path, String name) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int fallocate(String path, int mode, long off, long length, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    protected String getFSName() {
        return "stackshare";
    }

    /** libfuse's table of this filesystem's operations, for {@link FuseSessionLoop}. */
    Pointer operations() {
        return Struct.getMemory(fuseOperations);
    }

    long operationsSize() {
        return Struct.size(fuseOperations);
    }

    /** Files whose read state this mount keeps, for tests. */
    long filesBeingRead() {
        reading.cleanUp();
        return reading.estimatedSize();
    }

    private void fill(FileStat stat, Entry entry) throws IOException {
        int type;
        long links = 1;
        if (entry instanceof Entry.Dir dir) {
            type = FileStat.S_IFDIR;
            links = 2L + tree.list(dir).subdirectories();
        } else if (entry instanceof Entry.Symlink) {
            type = FileStat.S_IFLNK;
        } else {
            type = FileStat.S_IFREG;
        }
        stat.st_mode.set(type | entry.mode());
        stat.st_nlink.set(links);
        stat.st_size.set(entry.size());
        stat.st_blocks.set((entry.size() + 511) / 512);
        stat.st_blksize.set(IO_SIZE);
        stat.st_uid.set(owner.uid());
        stat.st_gid.set(owner.gid());
        long seconds = Math.floorDiv(entry.mtimeNanos(), 1_000_000_000L);
        long nanos = Math.floorMod(entry.mtimeNanos(), 1_000_000_000L);
        for (Timespec t : new Timespec[] {stat.st_atim, stat.st_mtim, stat.st_ctim}) {
            t.tv_sec.set(seconds);
            t.tv_nsec.set(nanos);
        }
    }

    /** Adds one name to a listing; false when the kernel's buffer is full. */
    private static boolean add(FuseFillDir filler, Pointer buf, String name) {
        // jnr-fuse's own String overload encodes with the platform charset and adds no NUL.
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer cName = ByteBuffer.allocate(utf8.length + 1).put(utf8).put((byte) 0).flip();
        return filler.apply(buf, cName, null, 0) == 0;
    }

    private static int errno(String operation, String path, Exception e) {
        return -FuseErrors.errno(operation, path, e);
    }
}
