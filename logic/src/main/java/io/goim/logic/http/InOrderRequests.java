package io.goim.logic.http;

import io.goim.libs.http.HttpDeadlines;
import io.goim.libs.lifecycle.InFlight;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * HTTP/1.1 pipelining for the API: the requests of one connection are handed to
 * {@link HttpApiHandler} one at a time, the next only once the previous one's answer is
 * written. Answers therefore leave in request order (a push waiting for Kafka's ack is
 * never overtaken by a later 405 or 400), pushes of one connection reach Kafka in order,
 * and an answer that closes the connection ({@code Connection: close}, a malformed
 * request) is written only after every earlier answer; requests behind it are dropped.
 *
 * <p>Requests waiting their turn are bounded: at {@code maxWaiting} the connection stops
 * reading until the queue drains (requests already decoded from the last read still
 * queue; a read holds at most one receive buffer of bytes). Tells {@link HttpDeadlines}
 * when a request is complete and when it is answered, and {@link InFlight} tracks every
 * request read until it is answered or dropped, so a closing server waits for them.
 *
 * <p>One instance per connection, confined to its event loop.
 */
final class InOrderRequests extends ChannelDuplexHandler {
    private final int maxWaiting;
    private final HttpDeadlines deadlines;
    private final InFlight inFlight;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private final Runnable dispatchNext = this::dispatchNext;
    private ChannelHandlerContext ctx;
    /** A request was handed to the handler and its answer is not written yet. */
    private boolean busy;
    /** An answer that closes the connection was written: nothing more is read or answered. */
    private boolean closing;
    /** This stage turned auto-read off because too many requests wait. */
    private boolean paused;

    InOrderRequests(int maxWaiting, HttpDeadlines deadlines, InFlight inFlight) {
        this.maxWaiting = maxWaiting;
        this.deadlines = deadlines;
        this.inFlight = inFlight;
    }

    /** A request refused before it reached the handler (the aggregator's 413), answered in its turn. */
    record Refused(ApiException error, boolean keepAlive) {
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest) && !(msg instanceof Refused)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closing) {
            ReferenceCountUtil.release(msg); // sent after a request that ends the connection
            return;
        }
        deadlines.requestRead();
        inFlight.begin();
        if (!busy) {
            busy = true;
            ctx.fireChannelRead(msg);
            return;
        }
        waiting.add(msg);
        if (waiting.size() >= maxWaiting && !paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof HttpResponse res) || res.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            ctx.write(msg, promise);
            return;
        }
        // The answer to the request the handler holds: the only one, see channelRead.
        boolean keepAlive = HttpUtil.isKeepAlive(res);
        ctx.write(msg, promise);
        promise.addListener(done -> inFlight.end());
        busy = false;
        deadlines.answered();
        if (!keepAlive) {
            closing = true;
            dropWaiting();
            ctx.channel().config().setAutoRead(false);
            promise.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!waiting.isEmpty()) {
            // Not from inside write: the next answer may be written synchronously (/1/count).
            ctx.executor().execute(dispatchNext);
        }
        if (paused && waiting.size() < maxWaiting) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void dispatchNext() {
        if (busy || closing) {
            return;
        }
        Object next = waiting.poll();
        if (next == null) {
            return;
        }
        if (!ctx.channel().isActive()) {
            ReferenceCountUtil.release(next);
            inFlight.end();
            dropWaiting();
            return;
        }
        busy = true;
        ctx.fireChannelRead(next);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        dropWaiting();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        dropWaiting();
    }

    private void dropWaiting() {
        for (Object m; (m = waiting.poll()) != null; ) {
            ReferenceCountUtil.release(m);
            inFlight.end();
        }
    }
}
