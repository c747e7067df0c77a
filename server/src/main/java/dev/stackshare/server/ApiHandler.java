package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers requests one at a time per connection, in the order they came (HTTP/1.1 pipelining
 * requires it), doing the work on the blocking executor and never on the event loop. Requests
 * that arrive while one is being answered wait in a queue and reading pauses.
 *
 * <p>Requests are routed on the event loop, so each goes to its {@link Lane}: look-ups to their
 * own threads, data requests to the blocking pool only while the {@link InFlightLimit} has a
 * place, else straight back with 503 and {@code Retry-After}.
 *
 * <p>A connection that stops reading while an answer waits to be written is closed after
 * the stall time ({@link ApiInitializer#WRITE_STALL_SECONDS}) without progress, which frees its place; at most
 * {@link #MAX_PIPELINED} requests wait unanswered, and past that the connection gets one
 * {@code 429} and is closed, so the codec never holds an unbounded queue of them.
 *
 * <p>Queue and state are touched only on the channel's event loop.
 */
final class ApiHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** Requests a client may send ahead of their answers; more than any client needs, far below what hurts. */
    static final int MAX_PIPELINED = 64;

    private final ApiService service;
    private final ExecutorService executor;
    private final ExecutorService lookups;
    private final InFlightLimit limit;
    private final Counters counters;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private boolean busy;
    /** The client whose place the request being answered holds, or null while it holds none. */
    private Object placeHolder;
    /** True once a request came past {@link #MAX_PIPELINED}: the queue is answered, then the connection closes. */
    private boolean tooManyPipelined;

    /** Every request on one pool, none refused: for tests of one handler. */
    ApiHandler(ApiService service, ExecutorService executor, Counters counters) {
        this(service, executor, executor, new InFlightLimit(Integer.MAX_VALUE), counters);
    }

    ApiHandler(ApiService service, ExecutorService executor, ExecutorService lookups, InFlightLimit limit,
               Counters counters) {
        this.service = service;
        this.executor = executor;
        this.lookups = lookups;
        this.limit = limit;
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest) && !(msg instanceof AuthHandler.Refused)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (tooManyPipelined || queue.size() >= MAX_PIPELINED) {
            // Nothing more is read from this connection: what is queued is answered, then one 429.
            ReferenceCountUtil.release(msg);
            tooManyPipelined = true;
            ctx.channel().config().setAutoRead(false);
            return;
        }
        queue.add(msg);
        if (busy) {
            ctx.channel().config().setAutoRead(false);
        } else {
            next(ctx);
        }
    }

    private void next(ChannelHandlerContext ctx) {
        Object msg = queue.poll();
        if (msg == null && tooManyPipelined) {
            busy = true;
            send(ctx, ApiService.error(429, "too-many-pipelined", "at most " + MAX_PIPELINED
                    + " requests may wait for their answers on one connection; send the rest after these"),
                    HttpVersion.HTTP_1_1, false);
            return;
        }
        if (msg == null) {
            busy = false;
            ctx.channel().config().setAutoRead(true);
            return;
        }
        busy = true;
        counters.requests.increment();
        if (msg instanceof AuthHandler.Refused refused) {
            send(ctx, refused.answer(), answerVersion(refused.version()), refused.keepAlive());
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        try {
            if (request.decoderResult().isFailure()) {
                Throwable cause = request.decoderResult().cause();
                // A request line past the limit is a URI too long; any other overlong part is the headers.
                int status = cause instanceof TooLongHttpLineException ? 414 : cause instanceof TooLongFrameException ? 431 : 400;
                send(ctx, ApiService.error(status, "bad-request", "cannot parse the request: " + cause.getMessage()),
                        HttpVersion.HTTP_1_1, false);
                return;
            }
            HttpVersion version = answerVersion(request.protocolVersion());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String method = request.method().name();
            String uri = request.uri();
            String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
            String accept = request.headers().get(HttpHeaderNames.ACCEPT);
            byte[] body = ByteBufUtil.getBytes(request.content());
            ApiRequest routed;
            try {
                routed = Router.route(method, uri, body, ifNoneMatch, accept);
            } catch (ApiError e) {
                send(ctx, ApiService.error(e.status(), e.code(), e.getMessage()), version, keepAlive);
                return;
            }
            Lane lane = Lane.of(routed);
            if (lane == Lane.DATA) {
                Object client = client(ctx);
                if (!limit.tryAcquire(client)) {
                    counters.overloaded.increment();
                    send(ctx, ApiService.overloaded(limit.max(), InFlightLimit.RETRY_AFTER_SECONDS), version, keepAlive);
                    return;
                }
                placeHolder = client;
            }
            (lane == Lane.LOOKUP ? lookups : executor).execute(() -> answer(ctx, routed, method, uri, version, keepAlive));
        } catch (RejectedExecutionException e) {
            releasePlace();
            send(ctx, ApiService.error(503, "shutting-down", "the server is shutting down"), answerVersion(request.protocolVersion()),
                    false);
        } finally {
            request.release();
        }
    }

    /**
     * The version an answer carries: 1.0 for 1.0, else 1.1, the highest this server speaks
     * (the decoder accepts any HTTP/1.x request line, e.g. HTTP/1.5; found by RawRequestFuzzIT).
     */
    static HttpVersion answerVersion(HttpVersion requested) {
        return HttpVersion.HTTP_1_0.equals(requested) ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    /** On the blocking executor. */
    private void answer(ChannelHandlerContext ctx, ApiRequest request, String method, String uri, HttpVersion version,
                        boolean keepAlive) {
        Answer answer;
        long started = System.nanoTime();
        try {
            answer = service.answer(request);
        } catch (ApiError e) {
            answer = ApiService.error(e.status(), e.code(), e.getMessage());
        } catch (Exception e) {
            LOG.warn("{} {} failed", method, Router.shorten(uri), e);
            answer = ApiService.error(500, "internal", "the server failed to answer: " + e);
        }
        counters.latency.record(System.nanoTime() - started);
        if (answer.status() >= 500) {
            counters.serverErrors.increment();
        }
        if (answer instanceof Answer.Full full) {
            send(ctx, full, version, keepAlive);
        } else if (answer instanceof Answer.Events events) {
            events(ctx, events, version, keepAlive);
        } else {
            stream(ctx, (Answer.Stream) answer, version, keepAlive);
        }
    }

    private void send(ChannelHandlerContext ctx, Answer.Full answer, HttpVersion version, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(answer.status()),
                Unpooled.wrappedBuffer(answer.body()));
        answer.headers().forEach((k, v) -> response.headers().set(k, v));
        if (answer.contentType() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        }
        HttpUtil.setContentLength(response, answer.body().length);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response).addListener(done(ctx, keepAlive));
    }

    private void stream(ChannelHandlerContext ctx, Answer.Stream answer, HttpVersion version, boolean keepAlive) {
        HttpResponse head = streamedHead(answer.headers(), answer.contentType(), version, keepAlive);
        boolean reuse = HttpUtil.isKeepAlive(head);
        ctx.write(head);
        new StreamPump(ctx, executor, answer.items(), done(ctx, reuse)).pump();
    }

    /**
     * The head of an answer whose length is not known up front: chunked, and kept alive when
     * the client asked. HTTP/1.0 has no chunked encoding: there the end of the body is the end
     * of the connection.
     */
    private static HttpResponse streamedHead(Map<String, String> headers, String contentType,
                                             HttpVersion version, boolean keepAlive) {
        HttpResponse head = new DefaultHttpResponse(version, HttpResponseStatus.OK);
        headers.forEach((k, v) -> head.headers().set(k, v));
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        boolean chunked = version.isKeepAliveDefault();
        if (chunked) {
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        HttpUtil.setKeepAlive(head, keepAlive && chunked);
        return head;
    }

    /**
     * Runs the work on this (blocking) thread while the event loop sends a tick line every
     * {@link Api#PROGRESS_INTERVAL_MS} ms; the last line and the end of the body go through the
     * event loop too, after the ticker is cancelled, so no tick can follow the last line.
     */
    private void events(ChannelHandlerContext ctx, Answer.Events answer, HttpVersion version, boolean keepAlive) {
        HttpResponse head = streamedHead(answer.headers(), answer.contentType(), version, keepAlive);
        boolean reuse = HttpUtil.isKeepAlive(head);
        ctx.writeAndFlush(head);
        ScheduledFuture<?> ticker = ctx.executor().scheduleAtFixedRate(() -> {
            byte[] line = answer.source().tick();
            if (line != null && ctx.channel().isActive()) {
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(line)));
            }
        }, Api.PROGRESS_INTERVAL_MS, Api.PROGRESS_INTERVAL_MS, TimeUnit.MILLISECONDS);
        byte[] last = answer.source().run();
        ctx.executor().execute(() -> {
            ticker.cancel(false);
            ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(last)));
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(done(ctx, reuse));
        });
    }

    /** After the last byte of an answer: close, or take the next request. */
    private ChannelFutureListener done(ChannelHandlerContext ctx, boolean keepAlive) {
        return f -> {
            releasePlace();
            if (!f.isSuccess() || !keepAlive) {
                ctx.close();
                return;
            }
            next(ctx);
        };
    }

    /** Who holds a place: the remote address without its port, so all connections of one client count together. */
    private static Object client(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress() : remote;
    }

    /** On the event loop: the answer is written, or will never be. */
    private void releasePlace() {
        if (placeHolder != null) {
            limit.release(placeHolder);
            placeHolder = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // A stream stopped by the client's going away never reaches its end listener.
        releasePlace();
        queue.forEach(ReferenceCountUtil::release);
        queue.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.ALL_IDLE && !busy) {
            ctx.close(); // an idle keep-alive connection; clients reconnect when they need to
            return;
        }
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.WRITER_IDLE && waitsOnTheClient(ctx)) {
            // The client has read nothing of its answer for the whole stall time (a suspended job,
            // a stuck node): closing frees its place; a live client asks again on a new connection.
            counters.stalledAnswers.increment();
            LOG.info("closed the connection from {}: it read nothing of its waiting answer for the stall time",
                    ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Whether answer bytes are waiting for the client to read them (none while the answer is still being made). */
    private static boolean waitsOnTheClient(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        return pending != null && pending.totalPendingWriteBytes() > 0;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
