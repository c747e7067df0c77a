package dev.stackshare.protocol;

/**
 * One name in a {@link Directory}. Times are nanoseconds since the epoch; modes hold the
 * permission bits only (the type is the record's class).
 */
public sealed interface Entry permits Entry.File, Entry.Dir, Entry.Symlink {
    /** Longest name Linux allows (NAME_MAX). */
    int MAX_NAME_BYTES = 255;
    /** Longest symlink target Linux allows (PATH_MAX). */
    int MAX_TARGET_BYTES = 4096;

    String name();

    long size();

    long mtimeNanos();

    int mode();

    /**
     * A regular file. {@code content} names the single chunk when {@code size <= chunkSize},
     * else a {@link ChunkList} object.
     */
    record File(String name, int mode, long size, long mtimeNanos, Digest content) implements Entry {
        public File {
            Names.check(name);
            Names.checkMode(mode);
            if (size < 0) {
                throw new IllegalArgumentException("negative size " + size + " for " + name);
            }
            if (content == null) {
                throw new IllegalArgumentException("file " + name + " has no content digest");
            }
        }
    }

    /** A directory; {@code tree} names its {@link Directory} object. */
    record Dir(String name, int mode, long size, long mtimeNanos, Digest tree) implements Entry {
        public Dir {
            Names.check(name);
            Names.checkMode(mode);
            if (tree == null) {
                throw new IllegalArgumentException("directory " + name + " has no tree digest");
            }
        }
    }

    /** A symbolic link, stored as written; the client never resolves it itself. */
    record Symlink(String name, long mtimeNanos, String target) implements Entry {
        public Symlink {
            Names.check(name);
            if (target == null || target.isEmpty() || target.indexOf('\0') >= 0
                    || Names.utf8Length(target) > MAX_TARGET_BYTES) {
                throw new IllegalArgumentException("bad symlink target for " + name);
            }
        }

        @Override
        public long size() {
            return Names.utf8Length(target);
        }

        @Override
        public int mode() {
            return 0777;
        }
    }
}
