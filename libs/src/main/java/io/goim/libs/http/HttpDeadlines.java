package io.goim.libs.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that is too slow to send a request, or idle too long between
 * requests. Sits first in the pipeline, where it sees raw bytes; the stage that hands
 * complete requests to the application tells it when one was read
 * ({@link #requestRead}) and when one was answered ({@link #answered}). Three states:
 * <ul>
 *   <li><b>receiving</b> (bytes of a request came, the request is not complete yet; also a
 *       fresh connection): closed after {@code request-timeout};
 *   <li><b>busy</b> (a request is read and not yet answered): no deadline here; the
 *       server's own deadlines bound its work;
 *   <li><b>idle</b> (everything answered, no byte of a next request yet): closed after
 *       {@code idle-timeout}.
 * </ul>
 * One timer per connection, re-armed lazily: moving a deadline later only moves a field,
 * so a keep-alive connection serving many requests schedules almost no tasks.
 *
 * <p>One instance per connection, confined to its event loop.
 */
public final class HttpDeadlines extends ChannelInboundHandlerAdapter {
    /** Why a connection was closed. */
    public enum Reason {
        /** A request (head and body) took longer than request-timeout to arrive. */
        REQUEST,
        /** No new request within idle-timeout of the last answer. */
        IDLE
    }

    /** Told about every connection this handler closes. */
    public interface Listener {
        void closed(ChannelHandlerContext ctx, Reason reason);
    }

    private final long requestNanos;
    private final long idleNanos;
    private final Listener listener;
    private final Runnable check = this::check;
    private ChannelHandlerContext ctx;
    /** Bytes of a request came and the request is not complete yet. */
    private boolean receiving = true;
    /** Requests read and not yet answered. */
    private int busy;
    private boolean armed;
    private Reason reason;
    private long deadline;
    /** When the pending timer fires; meaningful while {@link #timer} is set. */
    private long timerAt;
    private io.netty.util.concurrent.ScheduledFuture<?> timer;

    public HttpDeadlines(HttpLimits limits, Listener listener) {
        this.requestNanos = limits.requestTimeout().toNanos();
        this.idleNanos = limits.idleTimeout().toNanos();
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // A fresh connection owes us its first request within request-timeout.
        arm(Reason.REQUEST, requestNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!receiving && msg instanceof ByteBuf b && b.isReadable()) {
            receiving = true;
            if (busy == 0) {
                arm(Reason.REQUEST, requestNanos);
            }
        }
        super.channelRead(ctx, msg);
    }

    /** A complete request was read: the server's turn. Event loop only. */
    public void requestRead() {
        // Bytes of a next request that came in the same read are not told apart: that
        // request is then held to idle-timeout, then request-timeout from its next byte.
        receiving = false;
        busy++;
        armed = false;
    }

    /** A request was answered. Event loop only. */
    public void answered() {
        if (busy > 0 && --busy == 0) {
            if (receiving) {
                arm(Reason.REQUEST, requestNanos);
            } else {
                arm(Reason.IDLE, idleNanos);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        armed = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        super.channelInactive(ctx);
    }

    private void arm(Reason why, long nanos) {
        reason = why;
        deadline = System.nanoTime() + nanos;
        armed = true;
        if (timer != null && timerAt - deadline <= 0) {
            return; // the pending timer fires first and re-arms for what is left
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = deadline;
        timer = ctx.executor().schedule(check, nanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        if (!armed || !ctx.channel().isActive()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            timerAt = deadline;
            timer = ctx.executor().schedule(check, left, TimeUnit.NANOSECONDS);
            return;
        }
        armed = false;
        listener.closed(ctx, reason);
        ctx.close();
    }
}
