package dev.stackshare.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Serves the status page at {@code /} (a login form until the browser has the session cookie)
 * and takes the login form at {@code /login}; every other request goes on to the API. The page is
 * static HTML whose script polls {@code /v1/stats} and {@code /v1/snapshots} with the cookie.
 */
final class StatusPageHandler extends ChannelInboundHandlerAdapter {
    private static final String STATUS = resource("status.html");
    private static final String LOGIN_FORM = resource("login.html");

    private final StatusPageSession session;
    private final Counters counters;

    StatusPageHandler(StatusPageSession session, Counters counters) {
        this.session = session;
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || !StatusPageSession.isOpen(request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            counters.requests.increment();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (request.uri().equals(StatusPageSession.PAGE)) {
                boolean in = "true".equals(request.headers().get(StatusPageSession.AUTHENTICATED_HEADER));
                send(ctx, page(HttpResponseStatus.OK, in ? STATUS : login("")), keepAlive);
            } else {
                login(ctx, request, keepAlive);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void login(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        String form = request.content().toString(StandardCharsets.UTF_8);
        List<String> token = new QueryStringDecoder(form, false).parameters().get("token");
        if (token != null && token.size() == 1 && session.tokenMatches(token.get(0))) {
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.SEE_OTHER);
            response.headers().set(HttpHeaderNames.LOCATION, StatusPageSession.PAGE)
                    .set(HttpHeaderNames.SET_COOKIE, session.setCookie(ctx.pipeline().get(SslHandler.class) != null))
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            send(ctx, response, keepAlive);
            return;
        }
        counters.unauthorized.increment();
        send(ctx, page(HttpResponseStatus.UNAUTHORIZED, login("That is not this server's token.")), keepAlive);
    }

    private static String login(String error) {
        return LOGIN_FORM.replace("{{error}}", error);
    }

    private static FullHttpResponse page(HttpResponseStatus status, String html) {
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set("X-Frame-Options", "DENY")
                .set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String resource(String name) {
        try (InputStream in = StatusPageHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
