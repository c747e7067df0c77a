package dev.stackshare.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Whether a stack's compiled Python modules match their sources. A {@code .pyc} records the
 * time and size of the source it was compiled from; when they no longer match (a copy that did
 * not keep file times), the interpreter reads and compiles the source on every run and the job
 * is a heavier one than the stack's owner runs. The bench states it with its figures.
 */
final class CompiledModules {
    /** Compiled modules looked at, at most: enough to tell a stale stack from a fresh one. */
    static final int SAMPLE = 2000;
    private static final int HEADER_BYTES = 16;

    /** How many compiled modules with a source beside them were checked, and how many of them are stale. */
    record Freshness(int checked, int stale) {
        String describe() {
            if (checked == 0) {
                return "no compiled Python modules found";
            }
            return stale == 0 ? "its " + checked + " compiled Python modules checked match their sources"
                    : stale + " of " + checked + " compiled Python modules checked are stale (their sources are compiled on every run)";
        }
    }

    private CompiledModules() {
    }

    static Freshness check(Path stack) throws IOException {
        List<Path> compiled = new ArrayList<>();
        try (Stream<Path> files = Files.walk(stack)) {
            files.filter(p -> p.toString().endsWith(".pyc") && p.getParent() != null
                            && p.getParent().getFileName().toString().equals("__pycache__"))
                    .limit(SAMPLE)
                    .forEach(compiled::add);
        }
        int checked = 0;
        int stale = 0;
        for (Path pyc : compiled) {
            Boolean fresh = matchesSource(pyc);
            if (fresh != null) {
                checked++;
                stale += fresh ? 0 : 1;
            }
        }
        return new Freshness(checked, stale);
    }

    /**
     * {@code pkg/__pycache__/mod.cpython-311.pyc} against {@code pkg/mod.py}: null when there is no
     * such source, or the module is checked by hash (PEP 552), which needs no times.
     */
    static Boolean matchesSource(Path pyc) throws IOException {
        String name = pyc.getFileName().toString();
        Path source = pyc.getParent().getParent().resolve(name.substring(0, name.indexOf('.')) + ".py");
        if (!Files.isRegularFile(source)) {
            return null;
        }
        byte[] header;
        try (InputStream in = Files.newInputStream(pyc)) {
            header = in.readNBytes(HEADER_BYTES);
        }
        if (header.length < HEADER_BYTES) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int flags = b.getInt(4);
        if (flags != 0) {
            return null;
        }
        long recordedSeconds = Integer.toUnsignedLong(b.getInt(8));
        long recordedSize = Integer.toUnsignedLong(b.getInt(12));
        BasicFileAttributes attributes = Files.readAttributes(source, BasicFileAttributes.class);
        // The interpreter compares both as 32-bit values.
        long seconds = attributes.lastModifiedTime().toMillis() / 1000 & 0xFFFFFFFFL;
        long size = attributes.size() & 0xFFFFFFFFL;
        return seconds == recordedSeconds && size == recordedSize;
    }
}
