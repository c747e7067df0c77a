package dev.stackshare.client.fuse;

/**
 * The codes of fuse.h's {@code enum fuse_notify_code}: a notification is a message to the kernel
 * with unique 0 whose header's error field holds one of these (positive) codes.
 */
public enum NotifyCode {
    POLL(1),
    INVAL_INODE(2),
    INVAL_ENTRY(3),
    STORE(4),
    RETRIEVE(5),
    DELETE(6);

    private final int code;

    NotifyCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
