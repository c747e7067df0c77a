package dev.stackshare.client.fuse;

/**
 * The answer to STATFS: {@code struct fuse_kstatfs} (80 bytes, with 4 bytes of padding and 24 of
 * spare after frsize, written 0).
 *
 * <pre>
 *  0        8       16       24      32      40      44        48       52        56       80
 *  | blocks | bfree | bavail | files | ffree | bsize | namelen | frsize | padding | spare  |
 * </pre>
 *
 * @param blocks the size in units of {@code frsize}
 * @param namelen the longest name, as statfs(2)'s f_namelen
 */
public record StatfsOut(long blocks, long bfree, long bavail, long files, long ffree, int bsize, int namelen, int frsize) {
    public static final int SIZE = 80;

    public StatfsOut {
        if (blocks < 0 || bfree < 0 || bavail < 0 || files < 0 || ffree < 0) {
            throw new IllegalArgumentException("negative count in blocks " + blocks + ", bfree " + bfree + ", bavail " + bavail
                    + ", files " + files + ", ffree " + ffree);
        }
    }
}
