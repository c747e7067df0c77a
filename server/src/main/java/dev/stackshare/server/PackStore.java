package dev.stackshare.server;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.ProtocolException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packs: a list of object digests (hex, one a line, as {@code GET .../trace} answers it), named by
 * the digest of that text, and the batch stream of those objects in that order. {@code
 * STATE/packs/ab/<hex>.list} holds the list, {@code <hex>.pack} the stream once built: the first
 * request builds it while it answers (the objects as {@link ObjectLookup} gives them), later ones
 * are one sequential read of the file. A pack is immutable: every frame in it holds exactly the
 * bytes its digest names, whatever happens to the files they came from. A pack with a missing
 * object is answered (MISSING frames) but not kept, so the next request tries again.
 */
final class PackStore {
    private static final Logger LOG = LoggerFactory.getLogger(PackStore.class);
    private final Path dir;

    private PackStore(Path dir) {
        this.dir = dir;
    }

    static PackStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new PackStore(dir);
    }

    private Path base(Digest pack) {
        return dir.resolve(pack.hex().substring(0, 2)).resolve(pack.hex());
    }

    /** Keeps a list so {@code GET /v1/packs/{its digest}} can answer it; returns that digest. */
    Digest putList(List<Digest> digests) throws IOException {
        byte[] text = Digest.listText(digests);
        Digest name = Digest.of(text);
        Path target = Path.of(base(name) + ".list");
        if (!Files.exists(target)) {
            write(target, text);
        }
        return name;
    }

    /** Whether the pack's list is known. */
    boolean knows(Digest pack) {
        return Files.exists(Path.of(base(pack) + ".list"));
    }

    /** The list a pack names, checked against its digest; null when unknown. */
    List<Digest> list(Digest pack) throws IOException {
        byte[] text;
        try {
            text = Files.readAllBytes(Path.of(base(pack) + ".list"));
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!Digest.of(text).equals(pack)) {
            LOG.warn("pack list {} does not match its name; ignored", pack.hex());
            return null;
        }
        List<Digest> digests = new ArrayList<>();
        for (String line : new String(text, StandardCharsets.US_ASCII).split("\n")) {
            if (!line.isEmpty()) {
                digests.add(Digest.parse(line));
            }
        }
        return digests;
    }

    /** Whether the stream of the pack has been built and kept. */
    boolean built(Digest pack) {
        return Files.exists(Path.of(base(pack) + ".pack"));
    }

    /** The pack's objects in order, or null when the pack is unknown. */
    ItemSource items(Digest pack, ObjectLookup lookup, Counters counters) throws IOException {
        Path built = Path.of(base(pack) + ".pack");
        try {
            InputStream in = new BufferedInputStream(Files.newInputStream(built), 1 << 16);
            return new Stored(in, lookup, counters);
        } catch (NoSuchFileException e) {
            // not built yet
        }
        List<Digest> digests = list(pack);
        if (digests == null) {
            return null;
        }
        return new Building(digests.iterator(), lookup, counters, built);
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        AtomicFiles.write(target, bytes);
    }

    /**
     * A built pack read back item by item. An object that no kept snapshot reaches any more (gc
     * removed its snapshot after the pack was built) goes out as MISSING: the pack file still
     * holds its bytes, but the server serves only what a kept snapshot reaches (docs/security.md).
     */
    private static final class Stored implements ItemSource {
        private final InputStream in;
        private final BatchStream.Reader reader;
        private final ObjectLookup lookup;
        private final Counters counters;

        Stored(InputStream in, ObjectLookup lookup, Counters counters) {
            this.in = in;
            this.reader = new BatchStream.Reader(in);
            this.lookup = lookup;
            this.counters = counters;
        }

        @Override
        public BatchStream.Item next() throws IOException {
            BatchStream.Item item;
            try {
                item = reader.next();
            } catch (ProtocolException | RuntimeException e) {
                in.close();
                throw e;
            }
            if (item == null) {
                in.close();
                return null;
            }
            if (!item.missing() && !lookup.knows(item.digest())) {
                return new BatchStream.Item(item.digest(), null);
            }
            if (!item.missing()) {
                counters.objectServed(item.digest(), item.frame().length);
            }
            return item;
        }
    }

    /** Answers the list object by object and writes the stream beside, kept if whole. */
    private static final class Building implements ItemSource {
        private final Iterator<Digest> digests;
        private final ObjectLookup lookup;
        private final Counters counters;
        private final Path target;
        private Path temp;
        private OutputStream out;
        private boolean whole = true;

        Building(Iterator<Digest> digests, ObjectLookup lookup, Counters counters, Path target) {
            this.digests = digests;
            this.lookup = lookup;
            this.counters = counters;
            this.target = target;
        }

        @Override
        public BatchStream.Item next() throws IOException {
            if (out == null && temp == null) {
                try {
                    temp = Files.createTempFile(target.getParent(), ".tmp-", "");
                    out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16);
                } catch (IOException e) {
                    LOG.warn("cannot build pack {}: {}", target, e.toString());
                    whole = false;
                }
            }
            if (!digests.hasNext()) {
                finish();
                return null;
            }
            Digest digest = digests.next();
            byte[] frame;
            try {
                frame = lookup.frame(digest);
            } catch (ContentChangedException e) {
                // Expected, not the user's to fix: a trace borrowed from an older snapshot of the
                // view names the old bytes of what was edited since. The mount fetches the rest itself.
                LOG.info("pack {}: object {} was edited since the trace was recorded; sent as missing",
                        target.getFileName(), digest.shortHex());
                frame = null;
            }
            if (frame == null) {
                whole = false;
            } else {
                counters.objectServed(digest, frame.length);
            }
            if (out != null && whole) {
                try {
                    BatchStream.write(out, digest, frame);
                } catch (IOException e) {
                    LOG.warn("cannot build pack {}: {}", target, e.toString());
                    whole = false;
                }
            }
            return new BatchStream.Item(digest, frame);
        }

        private void finish() {
            if (temp == null) {
                return;
            }
            try {
                if (out != null) {
                    out.close();
                }
                if (whole) {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException e) {
                LOG.warn("cannot keep pack {}: {}", target, e.toString());
            } finally {
                temp = null;
                out = null;
            }
        }
    }
}
