package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Snapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property-based fuzzing of what the server decodes from a request: the path (router) and the
 * bodies of batch and gc requests. Any input routes to a checked request or is refused with an
 * {@link ApiError}; nothing else escapes, and no routed name can reach the file system. Fixed
 * seeds, bounded cases.
 */
class RequestFuzzTest {
    private static final int CASES = 5000;
    private static final List<String> PIECES = List.of("/v1/objects/", "/v1/objects:batch", "/v1/snapshots",
            "/v1/snapshots/", "/tree", "/trace", "/v1/views/", "/v1/stats", "/v1/gc", "..", "%2F", "%2e%2e", "/", "//",
            "?have=", "latest", Digest.of(new byte[0]).hex(), "0123456789abcdef", "\\", ".", "~", "\u0000", "é", "x");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "HEAD", "get", "");

    @TempDir
    Path tmp;

    private static String randomPath(Random r) {
        StringBuilder s = new StringBuilder();
        for (int n = 1 + r.nextInt(8); n > 0; n--) {
            if (r.nextInt(5) == 0) {
                for (int c = r.nextInt(6); c > 0; c--) {
                    s.append((char) (r.nextInt(0x250)));
                }
            } else {
                s.append(PIECES.get(r.nextInt(PIECES.size())));
            }
        }
        return s.toString();
    }

    @Test
    void anyPathRoutesToACheckedRequestOrIsRefused() {
        Random r = new Random(11);
        for (int i = 0; i < CASES; i++) {
            String uri = randomPath(r);
            try {
                ApiRequest request = Router.route(METHODS.get(r.nextInt(METHODS.size())), uri, new byte[0], null);
                if (request instanceof ApiRequest.GetSnapshot s) {
                    assertTrue(Snapshot.isId(s.id()), uri);
                } else if (request instanceof ApiRequest.GetTree t) {
                    assertTrue(Snapshot.isId(t.id()), uri);
                } else if (request instanceof ApiRequest.GetView v) {
                    assertTrue(Snapshot.isViewName(v.name()) || v.name().equals("latest"), uri);
                }
            } catch (ApiError refused) {
                assertTrue(refused.status() >= 400 && refused.status() < 500, uri + ": status " + refused.status());
            }
        }
        System.out.println("fuzz request paths (router): " + CASES + " cases");
    }

    @Test
    void anyBatchOrGcBodyIsAnsweredOrRefused() throws Exception {
        ApiService service = ApiServiceTest.serviceIn(tmp);
        List<String> lines = List.of(Digest.of(new byte[1]).hex(), "{\"keep\": 1, \"olderThanSeconds\": 0}",
                "{\"view\": \"x\"}", "null", "", "zz", "{\"keep\": -1}");
        Random r = new Random(12);
        for (int i = 0; i < CASES / 5; i++) {
            StringBuilder body = new StringBuilder();
            for (int n = r.nextInt(6); n > 0; n--) {
                body.append(r.nextInt(4) == 0 ? randomPath(r) : lines.get(r.nextInt(lines.size()))).append('\n');
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            try {
                assertNotNull(service.answer(r.nextBoolean() ? new ApiRequest.Gc(bytes) : new ApiRequest.Batch(bytes)));
            } catch (ApiError refused) {
                assertTrue(refused.status() >= 400 && refused.status() < 500, body + ": status " + refused.status());
            }
        }
        System.out.println("fuzz batch and gc bodies: " + CASES / 5 + " cases");
    }
}
