package io.goim.comet.transport;

import io.goim.comet.push.LoopOutbox;
import io.goim.protocol.ProtocolException;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A connection's outbound side: counts the bytes written to the socket, and applies the
 * backlog policy. Above the channel's {@code WriteBufferWaterMark} high-water mark
 * (goim's svr proto ring) the channel is not writable; pushes are still queued (an
 * accepted push is not dropped for a slow moment), up to
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
 * <p>Sits first in the pipeline (next to the socket, after TLS), where every message
 * written is a {@link ByteBuf} of what reaches the socket. Both jobs are in one handler,
 * and its state lives in a channel attribute only while the channel is not writable, so
 * one instance serves every channel: an idle connection pays for neither a handler nor a
 * pipeline context of its own (56 bytes each).
 */
@Sharable
public final class BackpressureHandler extends ChannelDuplexHandler {
    /** A connection that is not writable: whether this handler paused its reads, and its slow-consumer timer. */
    private static final class Behind {
        boolean pausedReads;
        ScheduledFuture<?> slowTimer;
    }

    private static final AttributeKey<Behind> BEHIND = AttributeKey.valueOf("goim.behind");

    private final Counter bytesWritten;
    private final Duration slowConsumerTimeout;
    private final ProtocolErrors errors;

    /** {@code bytesWritten} counts the bytes handed to the sockets; {@code errors} closes a slow consumer. */
    public BackpressureHandler(Counter bytesWritten, Duration slowConsumerTimeout, ProtocolErrors errors) {
        this.bytesWritten = bytesWritten;
        this.slowConsumerTimeout = slowConsumerTimeout;
        this.errors = errors;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            bytesWritten.increment(b.readableBytes());
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        if (ch.isWritable()) {
            Behind behind = caughtUp(ch);
            if (behind != null && behind.pausedReads) {
                ch.config().setAutoRead(true);
            }
        } else {
            Attribute<Behind> attr = ch.attr(BEHIND);
            Behind behind = attr.get();
            if (behind == null) {
                behind = new Behind();
                attr.set(behind);
            }
            if (ch.config().isAutoRead()) {
                behind.pausedReads = true;
                ch.config().setAutoRead(false);
            }
            if (behind.slowTimer == null) {
                long nanos = slowConsumerTimeout.toNanos();
                behind.slowTimer = ctx.executor().schedule(() -> slowConsumer(ctx), nanos, TimeUnit.NANOSECONDS);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void slowConsumer(ChannelHandlerContext ctx) {
        Behind behind = ctx.channel().attr(BEHIND).get();
        if (behind != null) {
            behind.slowTimer = null;
        }
        if (!ctx.channel().isWritable()) {
            errors.close(ctx, new ProtocolException(ProtocolException.Kind.SLOW_CONSUMER,
                    "not writable for " + slowConsumerTimeout + ", "
                            + ctx.channel().bytesBeforeWritable() + " bytes above the low-water mark"));
        }
    }

    /** Forgets that {@code ch} was behind and stops its timer; returns what it was, or null. */
    private static Behind caughtUp(Channel ch) {
        if (!ch.hasAttr(BEHIND)) {
            return null; // never behind: do not create the attribute
        }
        Behind behind = ch.attr(BEHIND).getAndSet(null);
        if (behind != null && behind.slowTimer != null) {
            behind.slowTimer.cancel(false);
        }
        return behind;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        caughtUp(ctx.channel());
        ctx.fireChannelInactive();
    }
}
