package io.goim.comet;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes written to client sockets. Sits first in the pipeline (next to the
 * socket, after TLS), where every message is a {@link ByteBuf}.
 *
 * <p>Stateless apart from the shared counter; one instance serves every channel.
 */
@Sharable
final class WrittenBytesCounter extends ChannelOutboundHandlerAdapter {
    private final CometCounters counters;

    WrittenBytesCounter(CometCounters counters) {
        this.counters = counters;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            counters.bytesWritten.add(b.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
