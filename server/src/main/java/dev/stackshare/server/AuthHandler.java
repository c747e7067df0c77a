package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Lets through only requests that carry {@code Authorization: Bearer TOKEN} (or, to read, the
 * status page's session cookie, see {@link StatusPageSession}), before their body is
 * aggregated, so a client without the token cannot make the server buffer anything. The status
 * page's two open requests pass without the token only with a declared body of at most
 * {@link #OPEN_BODY_MAX} bytes and no {@code Expect}: the login form needs only the token, and
 * the aggregator must never answer {@code 100 Continue} to a stranger. A refused request goes on
 * as a {@link Refused} marker, and {@link ApiHandler} answers it in turn, keeping answers in
 * request order on a keep-alive connection.
 */
final class AuthHandler extends ChannelInboundHandlerAdapter {
    /** The largest body read from a request without the token: a login form holds a 64-character token. */
    static final int OPEN_BODY_MAX = 4096;

    /** SHA-256 of the whole expected header value. */
    private final byte[] expected;
    private final StatusPageSession session;
    private final Counters counters;
    /** True while the body of a refused request is still arriving. */
    private boolean discarding;

    /** With a status page session of its own: for tests of one handler. */
    AuthHandler(String token, Counters counters) {
        this(token, new StatusPageSession(token), counters);
    }

    AuthHandler(String token, StatusPageSession session, Counters counters) {
        this.expected = sha256(Api.BEARER + token);
        this.session = session;
        this.counters = counters;
    }

    /** A refused request; it carries only what is needed to answer it. */
    record Refused(HttpVersion version, boolean keepAlive, Answer.Full answer) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            // Only this handler says who a request is from; a client cannot claim it.
            request.headers().remove(StatusPageSession.AUTHENTICATED_HEADER);
            boolean authorized = authorized(request);
            if (authorized) {
                request.headers().set(StatusPageSession.AUTHENTICATED_HEADER, "true");
            }
            // A request the decoder could not parse is answered 400 downstream; it holds no data to protect.
            // The status page's login form and entry are open: they hold no data, and say who is asking.
            Answer.Full refusal = authorized || request.decoderResult().isFailure() ? null : refusal(request);
            if (refusal == null) {
                discarding = false;
                ctx.fireChannelRead(msg);
                return;
            }
            counters.unauthorized.increment();
            boolean hasBody = !(msg instanceof LastHttpContent)
                    && (HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request));
            discarding = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            // With an unread body on the wire the connection cannot be reused safely.
            ctx.fireChannelRead(new Refused(request.protocolVersion(), HttpUtil.isKeepAlive(request) && !hasBody, refusal));
            return;
        }
        if (discarding && msg instanceof HttpContent content) {
            discarding = !(content instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Why a request without the token is refused, or null when it is one of the status page's open requests. */
    private static Answer.Full refusal(HttpRequest request) {
        if (!StatusPageSession.isOpen(request)) {
            return ApiService.unauthorized();
        }
        if (request.headers().contains(HttpHeaderNames.EXPECT)) {
            return ApiService.error(417, "expectation-failed", "Expect is not taken without the token");
        }
        if (HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > OPEN_BODY_MAX) {
            return ApiService.error(413, "too-large", "a request without the token has at most " + OPEN_BODY_MAX
                    + " bytes of body, declared by Content-Length");
        }
        return null;
    }

    private boolean authorized(HttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null) {
            // A browser that logged in to the status page reads with its cookie; it never writes.
            return (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD)
                    && session.accepts(request.headers().get(HttpHeaderNames.COOKIE));
        }
        // Digests of equal length compared in constant time: the time says neither how much of the
        // token matched nor how long it is.
        return MessageDigest.isEqual(expected, sha256(header));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.ISO_8859_1));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
