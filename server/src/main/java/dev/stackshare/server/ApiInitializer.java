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

    private final String token;
    private final ApiService service;
    private final ExecutorService blocking;
    private final ExecutorService lookups;
    private final InFlightLimit limit;
    private final Counters counters;
    private final SslContext tls;

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
        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS));
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_BYTES)));
        p.addLast("auth", new AuthHandler(token, counters));
        p.addLast("aggregate", new HttpObjectAggregator(Api.MAX_REQUEST_BODY));
        p.addLast("status-page", new StatusPageHandler(token, counters));
        p.addLast("api", new ApiHandler(service, blocking, lookups, limit, counters));
    }
}
