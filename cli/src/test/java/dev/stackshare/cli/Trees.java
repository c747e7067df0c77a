package dev.stackshare.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builds the trees the integration tests export: every case the mount must reproduce. */
final class Trees {
    static final String MARKER = "uncommitted-edit-7f3a";

    private Trees() {
    }

    /**
     * A stable stack: executables, odd names, symlinks of every kind, empty dirs, a 0-byte
     * file, a deep tree, a Python package, and a big multi-chunk file of {@code bigBytes}.
     */
    static void stack(Path root, long bigBytes) throws IOException, InterruptedException {
        Files.createDirectories(root.resolve("bin"));
        write(root.resolve("bin/tool"), "#!/bin/sh\necho tool-ran\n", "rwxr-xr-x");
        write(root.resolve("bin/setgid-like"), "x\n", "rwxr-x---");
        chmod("2750", root.resolve("bin/setgid-like"));
        write(root.resolve("private.cfg"), "secret=no\n", "rw-------");
        write(root.resolve("name with spaces.txt"), "spaces\n", "rw-r--r--");
        write(root.resolve("données-ünïcode-日本.txt"), "unicode\n", "rw-r--r--");
        write(root.resolve("empty-file"), "", "rw-r--r--");
        Files.createDirectories(root.resolve("empty-dir"));
        Files.createDirectories(root.resolve("lib/python/stackpkg"));
        write(root.resolve("lib/python/stackpkg/__init__.py"), "VALUE = 'from-the-stack'\n", "rw-r--r--");
        write(root.resolve("lib/python/stackpkg/util.py"), "def double(x):\n    return 2 * x\n", "rw-r--r--");
        Files.createSymbolicLink(root.resolve("relative-link"), Path.of("lib/python/stackpkg/util.py"));
        Files.createSymbolicLink(root.resolve("lib/up-link"), Path.of("../bin/tool"));
        Files.createSymbolicLink(root.resolve("absolute-link"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(root.resolve("dangling-link"), Path.of("no/such/target"));
        Files.createSymbolicLink(root.resolve("escape-dir-link"), Path.of("/etc"));
        Path deep = root;
        for (int i = 0; i < 40; i++) {
            deep = deep.resolve("d" + i);
        }
        Files.createDirectories(deep);
        write(deep.resolve("leaf.txt"), "deep leaf\n", "rw-r--r--");
        // Alone in its directory: opening a file also prefetches its small siblings, which would
        // blur what a read of the big file alone fetches.
        Files.createDirectories(root.resolve("data"));
        big(root.resolve("data/big.bin"), bigBytes);
        // mtimes with nanoseconds, set last so nothing above changes them
        Files.setLastModifiedTime(root.resolve("bin/tool"), FileTime.from(Instant.parse("2021-03-04T05:06:07.123456789Z")));
        Files.setLastModifiedTime(root.resolve("empty-dir"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    }

    /** A git working tree with a committed module, an uncommitted edit, untracked and ignored outputs. */
    static void worktree(Path wt) throws IOException, InterruptedException {
        Files.createDirectories(wt.resolve("mypkg"));
        write(wt.resolve(".gitignore"), "build/\nmypkg/_generated.py\n", "rw-r--r--");
        write(wt.resolve("mypkg/__init__.py"), "from .core import MARKER, answer\n", "rw-r--r--");
        write(wt.resolve("mypkg/core.py"), "MARKER = 'committed-only'\ndef answer():\n    return 41\n", "rw-r--r--");
        git(wt, "init", "-q", "-b", "main");
        git(wt, "add", "-A");
        git(wt, "-c", "user.name=dev", "-c", "user.email=dev@example.invalid", "commit", "-q", "-m", "mypkg");
        write(wt.resolve("mypkg/core.py"), "MARKER = '" + MARKER + "'\ndef answer():\n    return 42\n", "rw-r--r--");
        write(wt.resolve("mypkg/_generated.py"), "BUILD_ID = 'ignored-build-output'\n", "rw-r--r--");
        write(wt.resolve("NOTES.txt"), "untracked notes\n", "rw-r--r--");
        Files.createDirectories(wt.resolve("build/lib"));
        write(wt.resolve("build/lib/out.so"), "not really a shared object\n", "rwxr-xr-x");
    }

    static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Sh.Result r = Sh.run(cmd, Map.of("GIT_CONFIG_NOSYSTEM", "1"), 60);
        if (r.exit() != 0) {
            throw new IOException("git failed: " + r);
        }
    }

    static void chmod(String octal, Path file) throws IOException, InterruptedException {
        Sh.Result r = Sh.run(List.of("chmod", octal, file.toString()));
        if (r.exit() != 0) {
            throw new IOException("chmod failed: " + r);
        }
    }

    static void write(Path file, String content, String perms) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
    }

    /** A file whose every 8-byte word holds its own offset, so a misplaced chunk cannot go unnoticed. */
    static void big(Path file, long bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long offset = 0;
            while (offset < bytes) {
                buf.clear();
                while (buf.remaining() >= 8) {
                    buf.putLong(offset + buf.position());
                }
                buf.flip();
                buf.limit((int) Math.min(buf.limit(), bytes - offset));
                offset += ch.write(buf);
            }
        }
    }

    static void append(Path file, String text) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
