package io.goim.comet.transport;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.List;

/**
 * Netty's WebSocket server protocol handler (handshake, close frames), with pings answered
 * under the same backpressure as pushes.
 *
 * <p>Netty's own handler answers every ping at once, and when reads are paused it asks for
 * the next read itself (after a ping, a pong, or a read that produced no message): a client
 * that sends pings and reads nothing kept comet reading and piled its pongs up in memory,
 * however full its connection was. Here:
 * <ul>
 *   <li>a ping on a writable connection is answered at once, as before;</li>
 *   <li>a ping on a connection that is not writable (its backlog is above the high-water
 *       mark: {@link BackpressureHandler} has paused its reads and started its
 *       slow-consumer timer) is not answered yet; its payload (at most 125 bytes) is kept,
 *       replacing an earlier one, and answered when the connection is writable again.
 *       RFC 6455 section 5.5.3 lets an endpoint answer only the most recent of several
 *       pings. Each ping left unanswered this way is counted;</li>
 *   <li>pongs from the client are dropped (comet sends no pings), and no read is ever asked
 *       for here: reads follow autoRead, which backpressure and login set.</li>
 * </ul>
 * So a connection's pongs never take more than one frame beyond the high-water mark, and a
 * client that floods pings and never reads stays not writable and is closed as a slow
 * consumer ({@code comet.slow-consumer-timeout}), like one that does not read its pushes.
 *
 * <p>One instance per channel (Netty's handler is not sharable); the meters are shared.
 * Event loop only.
 */
public final class PacedWebSocketProtocolHandler extends WebSocketServerProtocolHandler {
    /** The ping meters of every WebSocket connection of a comet. */
    public record Meters(Counter answered, Counter unanswered) {
    }

    private final Meters meters;
    /** The payload of the latest ping not answered yet (its connection was not writable), or null. */
    private ByteBuf pendingPing;

    PacedWebSocketProtocolHandler(WebSocketServerProtocolConfig config, Meters meters) {
        super(config);
        this.meters = meters;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) throws Exception {
        if (frame instanceof PingWebSocketFrame) {
            if (pendingPing != null) {
                pendingPing.release();
                pendingPing = null;
                meters.unanswered().increment();
            }
            if (ctx.channel().isWritable()) {
                pong(ctx, frame.content().retain());
            } else {
                pendingPing = frame.content().retain();
            }
        } else if (!(frame instanceof PongWebSocketFrame)) {
            super.decode(ctx, frame, out);
        }
    }

    private void pong(ChannelHandlerContext ctx, ByteBuf payload) {
        meters.answered().increment();
        ctx.writeAndFlush(new PongWebSocketFrame(payload), ctx.voidPromise());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (pendingPing != null && ctx.channel().isWritable()) {
            ByteBuf payload = pendingPing;
            pendingPing = null;
            pong(ctx, payload);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Not MessageToMessageDecoder's, which asks for another read when reads are paused and
     * a read produced no message (only pings, say): that is for a handler that asked for a
     * read explicitly, and none here does. Reads follow autoRead.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        if (pendingPing != null) {
            pendingPing.release();
            pendingPing = null;
            meters.unanswered().increment();
        }
        super.handlerRemoved(ctx);
    }
}
