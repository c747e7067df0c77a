package dev.stackshare.server;

import dev.stackshare.protocol.Api;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one connection:
 *
 * <pre>
 * [tls-only -> tls] -> idle -> http codec (size limits) -> auth (before any body is kept)
 *      -> aggregator (body limit) -> status page (GET /, POST /login) -> api
 * </pre>
 */
final class ApiInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    /** Keep-alive connections quiet this long are closed. */
    static final int IDLE_SECONDS = 300;
    /**
     * A connection whose client reads nothing of a waiting answer this long is closed
     * ({@code -Dstackshare.writeStallSeconds}): longer than any pause of a live client, short
     * enough that a suspended job gives its in-flight place back well before clients give up.
     */
    static final int WRITE_STALL_SECONDS = 30;
    /** The HTTP codec's own bound on unanswered requests, kept above {@link ApiHandler#MAX_PIPELINED}, which answers. */
    private static final int CODEC_PIPELINE_DEPTH = Integer.MAX_VALUE;

    private final String token;
    /** One for the server run: every connection accepts the cookies of every other. */
    private final StatusPageSession session;
    private final ApiService service;
    private final ExecutorService blocking;
    private final ExecutorService lookups;
    private final InFlightLimit limit;
    private final Counters counters;
    private final SslContext tls;
    private final int writeStallSeconds = Integer.getInteger("stackshare.writeStallSeconds", WRITE_STALL_SECONDS);

    /** Every request on one pool, none refused: for tests. */
    ApiInitializer(String token, ApiService service, ExecutorService blocking, Counters counters) {
        this(token, service, blocking, blocking, new InFlightLimit(Integer.MAX_VALUE), counters, null);
    }

    /**
     * @param lookups threads of their own for look-ups ({@link Lane#LOOKUP}), so they never queue behind data
     * @param tls     the server's TLS context, or null for plain HTTP
     */
    ApiInitializer(String token, ApiService service, ExecutorService blocking, ExecutorService lookups,
                   InFlightLimit limit, Counters counters, SslContext tls) {
        this.tls = tls;
        this.token = token;
        this.session = new StatusPageSession(token);
        this.service = service;
        this.blocking = blocking;
        this.lookups = lookups;
        this.limit = limit;
        this.counters = counters;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        counters.openConnections.increment();
        ch.closeFuture().addListener(closed -> counters.openConnections.decrement());
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            p.addLast("tls-only", new TlsOnlyHandler(tls));
        }
        // Output observed: a writer is idle only when no byte of a pending answer moved.
        p.addLast("idle", new IdleStateHandler(true, 0, writeStallSeconds, IDLE_SECONDS, TimeUnit.SECONDS));
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_BYTES), CODEC_PIPELINE_DEPTH));
        p.addLast("auth", new AuthHandler(token, session, counters));
        p.addLast("aggregate", new HttpObjectAggregator(Api.MAX_REQUEST_BODY));
        p.addLast("status-page", new StatusPageHandler(session, counters));
        p.addLast("api", new ApiHandler(service, blocking, lookups, limit, counters));
    }
}
