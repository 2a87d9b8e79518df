package io.goim.bench.realpath;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One keep-alive HTTP/1.1 connection of {@link HttpPusher}, with at most one request
 * outstanding: the pusher hands it a request ({@link #expect}) before writing it, and the
 * handler reports the answer (status and body) or the failure to that request's
 * {@link Answer}, then tells the pusher the connection is free again. A request not
 * answered within the timeout closes the connection and counts as failed.
 *
 * <p>{@link #expect} is called by the pushing thread before the write, which Netty hands
 * to the event loop, so the loop sees the request's fields; everything else runs on the loop.
 */
final class HttpPushConnection extends ChannelDuplexHandler {
    /** Where the answer to one request goes; called once, on the connection's event loop. */
    interface Answer {
        void answered(int status, String body);

        void failed(String why);
    }

    /** Called on the event loop when the connection can take the next request, or when it is gone. */
    interface Pool {
        void free(HttpPushConnection connection);

        void gone(HttpPushConnection connection);
    }

    private final Pool pool;
    private final long timeoutNanos;
    private volatile Channel channel;
    private Answer answer;
    private ScheduledFuture<?> timeout;
    private int status;
    private final StringBuilder body = new StringBuilder(64);

    HttpPushConnection(Pool pool, long timeoutNanos) {
        this.pool = pool;
        this.timeoutNanos = timeoutNanos;
    }

    Channel channel() {
        return channel;
    }

    /** The request about to be written on this connection will be answered to {@code a}. */
    void expect(Answer a) {
        answer = a;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel(); // before the connect completes, so the pusher finds it once connected
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
        timeout = ctx.executor().schedule(() -> {
            fail("no answer in " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            ctx.close();
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            read(ctx, msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void read(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse r) {
            status = r.status().code();
            body.setLength(0);
        }
        if (msg instanceof HttpContent c) {
            body.append(c.content().toString(StandardCharsets.UTF_8));
        }
        if (msg instanceof LastHttpContent) {
            Answer a = answer;
            answer = null;
            timeout.cancel(false);
            if (ctx.channel().isActive()) {
                pool.free(this); // before the answer frees the pusher's slot: the next push finds this connection
            }
            if (a != null) {
                a.answered(status, body.toString());
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail("connection closed before the answer");
        pool.gone(this);
        super.channelInactive(ctx);
    }

    private void fail(String why) {
        Answer a = answer;
        answer = null;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (a != null) {
            a.failed(why);
        }
    }
}
