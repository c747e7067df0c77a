package dev.stackshare.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * First in the pipeline of a TLS server: looks at the first bytes of a connection. A TLS record
 * gets an {@link SslHandler} in this handler's place; anything else (a client that dialled
 * {@code http://}) gets one plain 400 answer saying to use https, and the connection is closed,
 * so no request is ever read or answered in clear text.
 */
final class TlsOnlyHandler extends ByteToMessageDecoder {
    /** A TLS record header is 5 bytes. */
    private static final int SNIFF_BYTES = 5;
    static final String PLAIN_ANSWER_BODY = "{\"code\":\"tls-required\",\"message\":\"this server speaks HTTPS only; "
            + "use the https:// URL (with its #sha256= pin) that stackshare serve printed\"}";

    private final SslContext context;

    TlsOnlyHandler(SslContext context) {
        this.context = context;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < SNIFF_BYTES) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            ctx.pipeline().replace(this, "tls", context.newHandler(ctx.alloc()));
            return; // the decoder hands the bytes it holds on to the new handler
        }
        in.skipBytes(in.readableBytes());
        byte[] body = PLAIN_ANSWER_BODY.getBytes(StandardCharsets.US_ASCII);
        String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
                + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
        ByteBuf answer = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        ctx.channel().config().setAutoRead(false);
    }
}
