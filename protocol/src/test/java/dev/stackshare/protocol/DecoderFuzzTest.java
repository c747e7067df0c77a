package dev.stackshare.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based fuzzing of every decoder in the protocol: for any input, a decoder returns a
 * value that re-encodes to the same bytes, or throws {@link ProtocolException}; never another
 * exception, never an allocation the input does not justify. Inputs are random bytes and
 * mutations of valid encodings (which reach much deeper into the decoders).
 */
class DecoderFuzzTest {
    private static final int TRIES = 3000;

    // ---- generators -------------------------------------------------------------------

    @Provide
    Arbitrary<Directory> directories() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('!', '~').withChars('é', '日', ' ')
                .ofMinLength(1).ofMaxLength(20).filter(n -> !n.equals(".") && !n.equals("..") && n.indexOf('/') < 0);
        Arbitrary<Digest> digests = Arbitraries.bytes().array(byte[].class).ofSize(8).map(Digest::of);
        Arbitrary<Entry> files = Combinators.combine(names, Arbitraries.integers().between(0, 07777),
                Arbitraries.longs().between(0, 1L << 40), Arbitraries.longs(), digests).as(Entry.File::new);
        Arbitrary<Entry> dirs = Combinators.combine(names, Arbitraries.integers().between(0, 07777),
                Arbitraries.longs().between(0, 1L << 20), Arbitraries.longs(), digests).as(Entry.Dir::new);
        Arbitrary<Entry> links = Combinators.combine(names, Arbitraries.longs(),
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(60)).as(Entry.Symlink::new);
        return Arbitraries.oneOf(files, dirs, links).list().ofMaxSize(12)
                .uniqueElements(Entry::name).map(Directory::new);
    }

    @Provide
    Arbitrary<byte[]> mutatedDirectories() {
        return mutations(directories().map(DirectoryCodec::encode));
    }

    @Provide
    Arbitrary<byte[]> mutatedBatches() {
        return mutations(directories().map(d -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] raw = DirectoryCodec.encode(d);
                BatchStream.write(out, Digest.of(raw), Compression.compress(raw));
                BatchStream.write(out, Digest.of(new byte[0]), null);
                return out.toByteArray();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }));
    }

    @Provide
    Arbitrary<byte[]> mutatedFrames() {
        return mutations(directories().map(d -> Compression.compress(DirectoryCodec.encode(d))));
    }

    @Provide
    Arbitrary<String> mutatedSnapshotJson() {
        Snapshot s = new Snapshot("0123456789abcdef", "default", java.time.Instant.parse("2026-11-25T00:00:00Z"),
                Chunking.DEFAULT_CHUNK_SIZE, Digest.of(new byte[0]),
                List.of(new Snapshot.Root("/a/b", Snapshot.RootKind.LIVE, Digest.of(new byte[1]), 1, 2)),
                java.util.Map.of("PATH", "/a/b/bin"));
        return mutations(Arbitraries.just(Json.write(s))).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Flips, overwrites, inserts and cuts bytes of valid encodings. */
    private static Arbitrary<byte[]> mutations(Arbitrary<byte[]> valid) {
        Arbitrary<List<int[]>> edits = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 1 << 20), Arbitraries.integers().between(0, 255))
                .as((kind, at, value) -> new int[] {kind, at, value}).list().ofMinSize(1).ofMaxSize(4);
        return Combinators.combine(valid, edits).as((bytes, list) -> {
            byte[] b = bytes;
            for (int[] e : list) {
                if (b.length == 0) {
                    break;
                }
                int at = e[1] % b.length;
                switch (e[0]) {
                    case 0 -> b[at] ^= (byte) (1 << (e[2] % 8));
                    case 1 -> b[at] = (byte) e[2];
                    case 2 -> {
                        byte[] longer = new byte[b.length + 1];
                        System.arraycopy(b, 0, longer, 0, at);
                        longer[at] = (byte) e[2];
                        System.arraycopy(b, at, longer, at + 1, b.length - at);
                        b = longer;
                    }
                    default -> b = java.util.Arrays.copyOf(b, at);
                }
            }
            return b;
        });
    }

    // ---- properties --------------------------------------------------------------------

    @Property(tries = TRIES)
    void validDirectoriesRoundTrip(@ForAll("directories") Directory d) throws Exception {
        assertEquals(d, DirectoryCodec.decode(DirectoryCodec.encode(d)));
    }

    @Property(tries = TRIES)
    void directoryDecoderAcceptsExactlyCanonicalBytes(@ForAll("mutatedDirectories") byte[] input) {
        decodesCanonicallyOrRefuses(input);
    }

    @Property(tries = TRIES)
    void directoryDecoderOnRandomBytes(@ForAll byte[] input) {
        decodesCanonicallyOrRefuses(input);
    }

    private static void decodesCanonicallyOrRefuses(byte[] input) {
        try {
            assertArrayEquals(input, DirectoryCodec.encode(DirectoryCodec.decode(input)));
        } catch (ProtocolException expected) {
            // the only allowed failure
        }
    }

    @Property(tries = TRIES)
    void chunkListDecoder(@ForAll byte[] input) {
        try {
            assertArrayEquals(input, ChunkList.decode(input).encode());
        } catch (ProtocolException expected) {
            // refused
        }
    }

    @Property(tries = TRIES)
    void frameDecoder(@ForAll("mutatedFrames") byte[] input) {
        try {
            Compression.decompress(input);
        } catch (ProtocolException expected) {
            // refused
        }
    }

    @Property(tries = TRIES)
    void batchStreamReader(@ForAll("mutatedBatches") byte[] input) throws Exception {
        BatchStream.Reader reader = new BatchStream.Reader(new ByteArrayInputStream(input));
        List<BatchStream.Item> items = new ArrayList<>();
        try {
            for (BatchStream.Item i = reader.next(); i != null; i = reader.next()) {
                items.add(i);
            }
        } catch (ProtocolException expected) {
            // refused
        }
    }

    @Property(tries = TRIES)
    void snapshotRecordDecoder(@ForAll("mutatedSnapshotJson") String json) {
        try {
            Json.read(json.getBytes(StandardCharsets.UTF_8), Snapshot.class);
        } catch (ProtocolException expected) {
            // refused
        }
    }

    @Property(tries = TRIES)
    void digestParser(@ForAll String text) {
        try {
            assertEquals(text, Digest.parse(text).hex());
        } catch (ProtocolException expected) {
            // refused
        }
    }
}
