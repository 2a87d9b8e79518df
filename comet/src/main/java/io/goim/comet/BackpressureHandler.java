package io.goim.comet;

import io.goim.libs.protocol.ProtocolException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A connection's outbound backlog policy. Above the channel's {@code WriteBufferWaterMark}
 * high-water mark (goim's svr proto ring) the channel is not writable; pushes are still
 * queued (an accepted push is not dropped for a slow moment), up to
 * {@code comet.write-buffer.max-backlog}, past which {@link LoopOutbox} closes the
 * connection. While it is not writable this handler also
 *
 * <ul>
 *   <li>stops reading from the client, so a client that sends ops faster than it reads
 *       the replies is held back by TCP instead of growing the backlog (this stands in
 *       for goim's 5-slot cli proto ring: a client has at most one read's worth of ops
 *       in flight, answered in order on the event loop, and none while it is behind);</li>
 *   <li>starts a timer: a connection still not writable after the slow-consumer timeout
 *       is closed and counted as {@link ProtocolException.Kind#SLOW_CONSUMER}.</li>
 * </ul>
 *
 * <p>Confined to the channel's event loop; one instance per channel.
 */
final class BackpressureHandler extends ChannelInboundHandlerAdapter {
    private final CometContext comet;
    private ScheduledFuture<?> slowTimer;
    private boolean pausedReads;

    BackpressureHandler(CometContext comet) {
        this.comet = comet;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            cancelTimer();
            if (pausedReads) {
                pausedReads = false;
                ctx.channel().config().setAutoRead(true);
            }
        } else {
            if (ctx.channel().config().isAutoRead()) {
                pausedReads = true;
                ctx.channel().config().setAutoRead(false);
            }
            if (slowTimer == null) {
                long nanos = comet.config().slowConsumerTimeout().toNanos();
                slowTimer = ctx.executor().schedule(() -> slowConsumer(ctx), nanos, TimeUnit.NANOSECONDS);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void slowConsumer(ChannelHandlerContext ctx) {
        slowTimer = null;
        if (!ctx.channel().isWritable()) {
            comet.protocolError(ctx, new ProtocolException(ProtocolException.Kind.SLOW_CONSUMER,
                    "not writable for " + comet.config().slowConsumerTimeout() + ", "
                            + ctx.channel().bytesBeforeWritable() + " bytes above the low-water mark"));
        }
    }

    private void cancelTimer() {
        if (slowTimer != null) {
            slowTimer.cancel(false);
            slowTimer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        ctx.fireChannelInactive();
    }
}
