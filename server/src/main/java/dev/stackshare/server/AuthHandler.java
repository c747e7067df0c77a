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
 * aggregated, so a client without the token cannot make the server buffer anything. A refused
 * request goes on as an {@link Unauthorized} marker, and {@link ApiHandler} answers it in turn,
 * keeping answers in request order on a keep-alive connection.
 */
final class AuthHandler extends ChannelInboundHandlerAdapter {
    /** SHA-256 of the whole expected header value. */
    private final byte[] expected;
    private final StatusPageSession session;
    private final Counters counters;
    /** True while the body of a refused request is still arriving. */
    private boolean discarding;

    AuthHandler(String token, Counters counters) {
        this.expected = sha256(Api.BEARER + token);
        this.session = new StatusPageSession(token);
        this.counters = counters;
    }

    /** A refused request; it carries only what is needed to answer it. */
    record Unauthorized(HttpVersion version, boolean keepAlive) {
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
            if (request.decoderResult().isFailure() || authorized || StatusPageSession.isOpen(request)) {
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
            ctx.fireChannelRead(new Unauthorized(request.protocolVersion(), HttpUtil.isKeepAlive(request) && !hasBody));
            return;
        }
        if (discarding && msg instanceof HttpContent content) {
            discarding = !(content instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
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
