package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackshare.protocol.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouterTest {
    private static final String HEX = Digest.of(new byte[0]).hex();
    private static final byte[] NONE = new byte[0];

    @Test
    void routesEveryEndpoint() throws ApiError {
        assertEquals(new ApiRequest.GetObject(new Digest(HEX), null), Router.route("GET", "/v1/objects/" + HEX, NONE, null));
        assertEquals(new ApiRequest.GetPack(new Digest(HEX), "\"x\""), Router.route("GET", "/v1/packs/" + HEX, NONE, "\"x\""));
        assertInstanceOf(ApiRequest.Batch.class, Router.route("POST", "/v1/objects:batch", NONE, null));
        assertEquals(new ApiRequest.GetSnapshot("0123456789abcdef"), Router.route("GET", "/v1/snapshots/0123456789abcdef", NONE, null));
        assertEquals(new ApiRequest.GetTree("0123456789abcdef"), Router.route("GET", "/v1/snapshots/0123456789abcdef/tree", NONE, null));
        assertEquals(new ApiRequest.GetDirFiles(new Digest(HEX), 524288, null),
                Router.route("GET", "/v1/dirs/" + HEX + "/files/524288", NONE, null));
        assertEquals(400, assertThrows(ApiError.class, () -> Router.route("GET", "/v1/dirs/" + HEX + "/files/1000", NONE, null)).status());
        assertEquals(404, assertThrows(ApiError.class, () -> Router.route("GET", "/v1/dirs/" + HEX, NONE, null)).status());
        assertEquals(new ApiRequest.GetView("latest"), Router.route("GET", "/v1/views/latest", NONE, null));
        assertEquals(new ApiRequest.GetView("my-view.2"), Router.route("GET", "/v1/views/my-view.2?x=1", NONE, null));
        assertInstanceOf(ApiRequest.Publish.class, Router.route("POST", "/v1/snapshots", NONE, null));
        assertEquals(new ApiRequest.Stats(), Router.route("GET", "/v1/stats", NONE, null));
        assertEquals(new ApiRequest.GetTrace("0123456789abcdef"), Router.route("GET", "/v1/snapshots/0123456789abcdef/trace", NONE, null));
        ApiRequest.PutTrace put = (ApiRequest.PutTrace) Router.route("PUT", "/v1/snapshots/0123456789abcdef/trace", NONE, null);
        assertEquals("0123456789abcdef", put.id());
        assertEquals(405, assertThrows(ApiError.class,
                () -> Router.route("POST", "/v1/snapshots/0123456789abcdef/trace", NONE, null)).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/objects/../../etc/passwd", "/v1/objects/..%2F..%2Fetc%2Fpasswd",
        "/v1/objects/%2e%2e", "/v1/objects//etc/passwd", "v1/stats", "/v1/views/..", "/v1/views/a\\b"})
    void pathTricksAreBadRequests(String uri) {
        ApiError e = assertThrows(ApiError.class, () -> Router.route("GET", uri, NONE, null));
        assertEquals(400, e.status(), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/objects/abc", "/v1/objects/GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG", "/v1/objects/etc-passwd"})
    void malformedDigestIsBadDigest(String uri) {
        ApiError e = assertThrows(ApiError.class, () -> Router.route("GET", uri, NONE, null));
        assertEquals("bad-digest", e.code());
    }

    @Test
    void upperCaseDigestIsRefusedNotFolded() {
        ApiError e = assertThrows(ApiError.class, () -> Router.route("GET", "/v1/objects/" + HEX.toUpperCase(), NONE, null));
        assertEquals(400, e.status());
    }

    @Test
    void badSnapshotIdAndViewNameAreBadRequests() {
        assertEquals("bad-snapshot-id", assertThrows(ApiError.class,
                () -> Router.route("GET", "/v1/snapshots/xyz", NONE, null)).code());
        assertEquals("bad-view", assertThrows(ApiError.class,
                () -> Router.route("GET", "/v1/views/-x", NONE, null)).code());
    }

    @Test
    void unknownEndpointIs404AndWrongMethodIs405() {
        assertEquals(404, assertThrows(ApiError.class, () -> Router.route("GET", "/v2/objects", NONE, null)).status());
        assertEquals(405, assertThrows(ApiError.class, () -> Router.route("DELETE", "/v1/objects/" + HEX, NONE, null)).status());
        assertEquals(405, assertThrows(ApiError.class, () -> Router.route("PUT", "/v1/snapshots", NONE, null)).status());
        assertEquals(405, assertThrows(ApiError.class, () -> Router.route("GET", "/v1/gc", NONE, null)).status());
    }

    @Test
    void theSnapshotListIsAGetAndGcAPost() throws ApiError {
        assertTrue(Router.route("GET", "/v1/snapshots", NONE, null) instanceof ApiRequest.ListSnapshots);
        assertTrue(Router.route("POST", "/v1/gc", NONE, null) instanceof ApiRequest.Gc);
    }
}
