package dev.stackshare.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** Binds the listening socket and owns the event loops; closing shuts them down gracefully. */
final class HttpServerBootstrap implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;

    private HttpServerBootstrap(EventLoopGroup boss, EventLoopGroup workers, Channel channel) {
        this.boss = boss;
        this.workers = workers;
        this.channel = channel;
    }

    static HttpServerBootstrap bind(InetSocketAddress address, ChannelInitializer<SocketChannel> initializer)
            throws ServerException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        ChannelFuture bound = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer)
                .bind(address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdown(boss, workers);
            throw bindFailure(address, bound.cause());
        }
        return new HttpServerBootstrap(boss, workers, bound.channel());
    }

    private static ServerException bindFailure(InetSocketAddress address, Throwable cause) {
        String where = address.getHostString() + ":" + address.getPort();
        String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        if (cause instanceof BindException && why.toLowerCase().contains("in use")) {
            return new ServerException("cannot listen on " + where + ": address in use; pick another port or use "
                    + "--listen 127.0.0.1:0", cause);
        }
        return new ServerException("cannot listen on " + where + ": " + why + "; check the --listen address", cause);
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        shutdown(boss, workers);
    }

    private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
        // A short quiet period: answers in flight finish, nothing new is accepted.
        boss.shutdownGracefully(100, 5000, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(100, 5000, TimeUnit.MILLISECONDS);
        boss.terminationFuture().awaitUninterruptibly();
        workers.terminationFuture().awaitUninterruptibly();
    }
}
