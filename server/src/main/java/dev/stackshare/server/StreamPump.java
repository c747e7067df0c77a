package dev.stackshare.server;

import dev.stackshare.protocol.BatchStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the items of a streamed answer as HTTP chunks. Items are read on the blocking executor;
 * when the channel's outbound buffer passes its high-water mark the pump stops and resumes from
 * the write's listener, so a slow client holds neither a thread nor more than a buffer's worth
 * of memory. An error after the head is sent can only be told by closing the connection: the
 * client sees a body without its last chunk and treats the whole answer as failed.
 */
final class StreamPump {
    private static final Logger LOG = LoggerFactory.getLogger(StreamPump.class);
    /** Flush about this often rather than per item: a tree is mostly small directory objects. */
    private static final int FLUSH_BYTES = 64 * 1024;

    private final ChannelHandlerContext ctx;
    private final Executor executor;
    private final ItemSource items;
    private final ChannelFutureListener onEnd;

    /** @param onEnd called (on the event loop) once the last chunk is written */
    StreamPump(ChannelHandlerContext ctx, Executor executor, ItemSource items, ChannelFutureListener onEnd) {
        this.ctx = ctx;
        this.executor = executor;
        this.items = items;
        this.onEnd = onEnd;
    }

    /** Runs on the blocking executor after the response head has been written. */
    void pump() {
        Channel channel = ctx.channel();
        try {
            int unflushed = 0;
            while (channel.isActive()) {
                BatchStream.Item item = items.next();
                if (item == null) {
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(onEnd);
                    return;
                }
                byte[] frame = item.frame();
                ByteBuf header = Unpooled.wrappedBuffer(BatchStream.header(item.digest(),
                        frame == null ? BatchStream.MISSING : frame.length));
                ByteBuf chunk = frame == null ? header : Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(frame));
                unflushed += chunk.readableBytes();
                ChannelFuture written = ctx.write(new DefaultHttpContent(chunk));
                if (unflushed >= FLUSH_BYTES || !channel.isWritable()) {
                    ctx.flush();
                    unflushed = 0;
                    if (!channel.isWritable()) {
                        written.addListener(f -> resume(f.isSuccess()));
                        return;
                    }
                }
            }
        } catch (Exception e) {
            LOG.warn("stopped a streamed answer to {}: {}", channel.remoteAddress(), e.toString());
            ctx.close();
        }
    }

    private void resume(boolean lastWriteOk) {
        if (!lastWriteOk) {
            ctx.close();
            return;
        }
        try {
            executor.execute(this::pump);
        } catch (RejectedExecutionException e) {
            ctx.close(); // shutting down
        }
    }
}
