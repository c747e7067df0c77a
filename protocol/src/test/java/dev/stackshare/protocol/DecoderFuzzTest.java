package dev.stackshare.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property-based fuzzing of every decoder in the protocol: for any input, a decoder returns a
 * value that re-encodes to the same bytes, or throws {@link ProtocolException}; never another
 * exception, never an allocation the input does not justify. Inputs are random bytes and
 * mutations of valid encodings (which reach much deeper into the decoders). Seeds are fixed so a
 * failure repeats; the number of cases bounds the time CI spends.
 */
class DecoderFuzzTest {
    static final int CASES = 5000;
    private static final java.util.concurrent.atomic.AtomicLong TOTAL = new java.util.concurrent.atomic.AtomicLong();

    /** CI's log says how much fuzzing ran. */
    private static void ran(String decoder, int cases) {
        TOTAL.addAndGet(cases);
        System.out.println("fuzz " + decoder + ": " + cases + " cases");
    }

    @org.junit.jupiter.api.AfterAll
    static void total() {
        System.out.println("fuzz protocol decoders: " + TOTAL.get() + " cases in all");
    }

    /** A random valid directory: files, directories and symlinks with odd names. */
    static Directory randomDirectory(Random r) {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            String name = randomName(r);
            if (!names.add(name)) {
                continue;
            }
            Digest digest = Digest.of(new byte[] {(byte) r.nextInt(), (byte) i});
            entries.add(switch (r.nextInt(3)) {
                case 0 -> new Entry.File(name, r.nextInt(07777 + 1), r.nextLong() & ((1L << 40) - 1), r.nextLong(), digest);
                case 1 -> new Entry.Dir(name, r.nextInt(07777 + 1), r.nextInt(1 << 20), r.nextLong(), digest);
                default -> new Entry.Symlink(name, r.nextLong(), r.nextBoolean() ? "../" + randomName(r) : "/" + randomName(r));
            });
        }
        return new Directory(entries);
    }

    private static String randomName(Random r) {
        String alphabet = "abcXYZ019 ._-é日\u00ff~!";
        StringBuilder s = new StringBuilder();
        int length = 1 + r.nextInt(r.nextInt(10) == 0 ? 200 : 12);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        String name = s.toString();
        return name.equals(".") || name.equals("..") || name.getBytes(StandardCharsets.UTF_8).length > 255 ? "x" + i(r) : name;
    }

    private static String i(Random r) {
        return Integer.toString(r.nextInt(1000));
    }

    static byte[] randomBytes(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    /** Flips, overwrites, inserts and cuts bytes of a valid encoding. */
    static byte[] mutate(byte[] valid, Random r) {
        byte[] b = valid.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(4)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> {
                    byte[] longer = new byte[b.length + 1];
                    System.arraycopy(b, 0, longer, 0, at);
                    longer[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, longer, at + 1, b.length - at);
                    b = longer;
                }
                default -> b = java.util.Arrays.copyOf(b, at);
            }
        }
        return b;
    }

    private static void decodesCanonicallyOrRefuses(byte[] input) {
        try {
            assertArrayEquals(input, DirectoryCodec.encode(DirectoryCodec.decode(input)));
        } catch (ProtocolException expected) {
            // the only allowed failure
        }
    }

    @Test
    void validDirectoriesRoundTrip() throws Exception {
        Random r = new Random(1);
        for (int i = 0; i < CASES; i++) {
            Directory d = randomDirectory(r);
            assertEquals(d, DirectoryCodec.decode(DirectoryCodec.encode(d)));
        }
        ran("directory round trip", CASES);
    }

    @Test
    void directoryDecoderAcceptsExactlyCanonicalBytes() {
        Random r = new Random(2);
        for (int i = 0; i < CASES; i++) {
            decodesCanonicallyOrRefuses(mutate(DirectoryCodec.encode(randomDirectory(r)), r));
            decodesCanonicallyOrRefuses(randomBytes(r, 300));
        }
        ran("directory objects", 2 * CASES);
    }

    @Test
    void chunkListDecoder() {
        Random r = new Random(3);
        for (int i = 0; i < CASES; i++) {
            List<Digest> chunks = new ArrayList<>();
            for (int c = r.nextInt(5); c > 0; c--) {
                chunks.add(Digest.of(randomBytes(r, 8)));
            }
            byte[] input = r.nextBoolean() ? mutate(new ChunkList(chunks).encode(), r) : randomBytes(r, 200);
            try {
                assertArrayEquals(input, ChunkList.decode(input).encode());
            } catch (ProtocolException expected) {
                // refused
            }
        }
        ran("chunk lists", CASES);
    }

    @Test
    void frameDecoder() {
        Random r = new Random(4);
        for (int i = 0; i < CASES; i++) {
            byte[] frame = Compression.compress(DirectoryCodec.encode(randomDirectory(r)));
            byte[] input = r.nextInt(10) == 0 ? randomBytes(r, 12) : mutate(frame, r);
            try {
                Compression.decompress(input);
            } catch (ProtocolException expected) {
                // refused
            }
        }
        ran("zstd object frames", CASES);
    }

    @Test
    void batchStreamReader() throws IOException {
        Random r = new Random(5);
        for (int i = 0; i < CASES; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] raw = DirectoryCodec.encode(randomDirectory(r));
            BatchStream.write(out, Digest.of(raw), Compression.compress(raw));
            BatchStream.write(out, Digest.of(new byte[0]), null);
            BatchStream.Reader reader = new BatchStream.Reader(new ByteArrayInputStream(mutate(out.toByteArray(), r)));
            try {
                while (reader.next() != null) {
                    // read every item the stream holds
                }
            } catch (ProtocolException expected) {
                // refused
            }
        }
        ran("batch streams", CASES);
    }

    @Test
    void snapshotRecordDecoder() {
        Snapshot s = new Snapshot("0123456789abcdef", "default", Instant.parse("2026-11-25T00:00:00Z"),
                Chunking.DEFAULT_CHUNK_SIZE, Digest.of(new byte[0]),
                List.of(new Snapshot.Root("/a/b", Snapshot.RootKind.LIVE, Digest.of(new byte[1]), 1, 2)),
                Map.of("PATH", "/a/b/bin"));
        byte[] json = Json.write(s);
        Random r = new Random(6);
        for (int i = 0; i < CASES; i++) {
            try {
                Json.read(mutate(json, r), Snapshot.class);
            } catch (ProtocolException expected) {
                // refused
            }
            try {
                Json.read(r.nextBoolean() ? randomBytes(r, 200) : jsonNoise(r), Snapshot.class);
            } catch (ProtocolException expected) {
                // refused
            }
        }
        ran("snapshot records", 2 * CASES);
    }

    @Test
    void digestParser() {
        Random r = new Random(7);
        String hex = Digest.of(new byte[0]).hex();
        for (int i = 0; i < CASES; i++) {
            String text = new String(mutate(hex.getBytes(StandardCharsets.ISO_8859_1), r), StandardCharsets.ISO_8859_1);
            try {
                assertEquals(text, Digest.parse(text).hex());
            } catch (ProtocolException expected) {
                // refused
            }
        }
        ran("digests", CASES);
    }

    /** Random JSON-ish text: brackets, quotes, numbers, keys of the records. */
    static byte[] jsonNoise(Random r) {
        List<String> pieces = List.of("{", "}", "[", "]", ",", ":", "\"", "\"id\"", "\"view\"", "\"roots\"",
                "\"chunkSize\"", "\"tree\"", "\"environment\"", "null", "true", "-1", "1e999", "0123456789abcdef",
                "\"\\u0000\"", "\"" + Digest.of(new byte[0]).hex() + "\"", "99999999999999999999", "\"2026-11-25T00:00:00Z\"");
        StringBuilder s = new StringBuilder();
        for (int n = r.nextInt(30); n > 0; n--) {
            s.append(pieces.get(r.nextInt(pieces.size())));
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Every other JSON record client and server read from each other: answers, events, gc. */
    @Test
    void everyJsonRecordOnTheWire() {
        Snapshot s = new Snapshot("0123456789abcdef", "default", Instant.parse("2026-11-25T00:00:00Z"),
                Chunking.DEFAULT_CHUNK_SIZE, Digest.of(new byte[0]), List.of(), Map.of("A", "b"));
        Api.PublishProgress progress = new Api.PublishProgress(true, 1, 2, 3, 4, 5, 6, 7, 8, 9, List.of("/a: why"));
        List<Object> records = List.of(new Api.ViewAnswer("default", s.id()), new Api.ErrorBody("not-found", "no such"),
                new Api.PublishEvent(progress, s, null), new Api.PublishEvent(progress, null, new Api.ErrorBody("x", "y")),
                new Api.ServerStats(1, 2, 3, 4, 5, 6, 7, 8, 9, true, Map.of("GetObject", 10L), 11, 12, 13, 14, 15, 16),
                new Lifecycle.SnapshotSummary[] {new Lifecycle.SnapshotSummary(s.id(), "default", s.createdAt(),
                        List.of("/a"), 1, 2, 3, null)},
                new Lifecycle.GcRequest(1, 60, false, true),
                new Lifecycle.GcReport(false, List.of(s.id()), List.of(), 1, 2, 3));
        Random r = new Random(8);
        int cases = 0;
        for (Object record : records) {
            byte[] json = Json.write(record);
            for (int i = 0; i < CASES / 2; i++) {
                byte[] input = i % 4 == 0 ? jsonNoise(r) : mutate(json, r);
                try {
                    Json.read(input, record.getClass());
                } catch (ProtocolException expected) {
                    // refused
                }
                cases++;
            }
        }
        ran("JSON answers, events and gc records", cases);
    }
}
