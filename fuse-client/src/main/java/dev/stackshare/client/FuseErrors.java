package dev.stackshare.client;

import dev.stackshare.client.fuse.Errno;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where the client's exceptions become errno, and where a failed operation is logged. */
final class FuseErrors {
    private static final Logger log = LoggerFactory.getLogger(FuseErrors.class);

    private FuseErrors() {
    }

    /** The positive errno for a failed operation on {@code path}; what is not a plain miss is logged. */
    static int errno(String operation, String path, Exception e) {
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        if (RetryingObjectSource.GaveUp.isRepeated(e)) {
            // The kernel's second try of a read that just failed: logged once, the first time.
            log.debug("{} {} failed again: {}", operation, path, e.getMessage());
        } else if (e instanceof IOException) {
            log.warn("{} {} failed: {}", operation, path, e.getMessage());
        } else {
            log.error("{} {} failed", operation, path, e);
        }
        return Errno.EIO;
    }
}
