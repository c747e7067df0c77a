package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Snapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing of what the server decodes from a request: the path (router) and the
 * bodies of batch, publish and gc requests. Any input routes to a checked request or is refused
 * with an {@link ApiError}; nothing else escapes, and no routed name can reach the file system.
 */
class RequestFuzzTest {
    private static final int TRIES = 3000;
    private static Path tmp;
    private static ApiService service;

    @BeforeContainer
    static void openService() throws Exception {
        tmp = java.nio.file.Files.createTempDirectory("fuzz");
        service = ApiServiceTest.serviceIn(tmp);
    }

    @AfterContainer
    static void delete() throws Exception {
        try (var files = java.nio.file.Files.walk(tmp)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> pieces = Arbitraries.of("/v1/objects/", "/v1/objects:batch", "/v1/snapshots", "/v1/snapshots/",
                "/tree", "/v1/views/", "/v1/stats", "/v1/gc", "..", "%2F", "%2e%2e", "/", "//", "?have=", "latest",
                Digest.of(new byte[0]).hex(), "0123456789abcdef", "\\", ".", "~", "\u0000", "é");
        Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(12);
        return Arbitraries.oneOf(pieces, noise).list().ofMinSize(1).ofMaxSize(8).map(l -> String.join("", l));
    }

    @Property(tries = TRIES)
    void anyPathRoutesToACheckedRequestOrIsRefused(@ForAll("paths") String uri,
                                                   @ForAll("methods") String method) {
        try {
            ApiRequest r = Router.route(method, uri, new byte[0], null);
            if (r instanceof ApiRequest.GetSnapshot s) {
                assertTrue(Snapshot.isId(s.id()), s.id());
            } else if (r instanceof ApiRequest.GetTree t) {
                assertTrue(Snapshot.isId(t.id()), t.id());
            } else if (r instanceof ApiRequest.GetView v) {
                assertTrue(Snapshot.isViewName(v.name()) || v.name().equals("latest"), v.name());
            }
        } catch (ApiError refused) {
            assertTrue(refused.status() >= 400 && refused.status() < 500, "status " + refused.status());
        }
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of("GET", "POST", "PUT", "DELETE", "HEAD", "get", "");
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<String> lines = Arbitraries.oneOf(Arbitraries.just(Digest.of(new byte[1]).hex()),
                Arbitraries.strings().ofMaxLength(70), Arbitraries.just("{\"keep\": 1, \"olderThanSeconds\": 0}"),
                Arbitraries.just("{\"view\": \"x\"}"), Arbitraries.just("null"));
        return lines.list().ofMaxSize(6).map(l -> String.join("\n", l).getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = TRIES)
    void anyBatchOrGcBodyIsAnsweredOrRefused(@ForAll("bodies") byte[] body, @ForAll boolean gc) throws Exception {
        try {
            Answer a = service.answer(gc ? new ApiRequest.Gc(body) : new ApiRequest.Batch(body));
            assertTrue(a != null);
        } catch (ApiError refused) {
            assertTrue(refused.status() >= 400 && refused.status() < 500, "status " + refused.status());
        }
    }
}
