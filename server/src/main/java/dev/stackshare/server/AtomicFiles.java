package dev.stackshare.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Whole-file writes that readers see either complete or not at all. */
final class AtomicFiles {
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private AtomicFiles() {
    }

    /**
     * Writes to a temporary file beside {@code target} (created mode 0600) and renames it into
     * place, so a crash or a concurrent reader never sees half a file. The temporary file is opened
     * once, to create and write it (not {@code createTempFile} then {@code Files.write}): a first
     * publish writes thousands of small objects.
     */
    static void write(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling(".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (SeekableByteChannel out = Files.newByteChannel(temp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
