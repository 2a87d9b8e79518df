package io.goim.comet.transport;

import io.goim.protocol.Packet;
import io.goim.protocol.PacketBatch;
import io.goim.protocol.Packets;
import io.goim.protocol.ProtocolException;
import io.goim.protocol.WsJson;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a WebSocket connection into a stream of goim {@link Packet}s, so it ends in the
 * same auth and session handlers as TCP, and turns their reply packets back into frames.
 *
 * <ul>
 *   <li>A text frame is one JSON object ({@link WsJson}); replies go out as text
 *       frames holding a JSON array.</li>
 *   <li>A binary frame carries one or more goim binary packets laid end to end
 *       ({@link PacketBatch}; goim v2 clients); replies go out as binary frames in the same format.</li>
 * </ul>
 * The first data frame decides the connection's {@link Wire}, which pushes use too. A
 * frame that breaks these rules raises {@link ProtocolException} ({@code BAD_FRAME},
 * {@code PACKET_LENGTH}, {@code HEADER_LENGTH}); the handler behind closes the connection.
 * An HTTP request for another path than the WebSocket path gets 404.
 *
 * <p>When the WebSocket handshake completes it also removes the demo page handler, whose
 * stage is over (a pipeline context, 56 bytes, per connection).
 *
 * <p>Sharable: the connection's wire is its {@link Wire} attribute (unset until the first
 * data frame), so one instance serves every channel (a codec per channel costs 88 bytes).
 */
@Sharable
final class WebSocketPacketCodec extends ChannelDuplexHandler {
    private final int maxBody;

    WebSocketPacketCodec(int maxBody) {
        this.maxBody = maxBody;
    }

    /**
     * Frames in, packets out. (Not Netty's MessageToMessageCodec: its decoder keeps
     * per-channel state, so it cannot be shared.) Packets decoded before a broken one in
     * the same binary frame are still passed on, then the error is raised.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextWebSocketFrame text) {
            Packet p;
            try {
                chooseWire(ctx, Wire.WS_TEXT);
                p = WsJson.readClientFrame(text.content(), maxBody);
            } finally {
                text.release();
            }
            ctx.fireChannelRead(p);
        } else if (msg instanceof BinaryWebSocketFrame binary) {
            List<Packet> out = new ArrayList<>(1);
            try {
                chooseWire(ctx, Wire.WS_BINARY);
                PacketBatch.read(binary.content(), maxBody, out);
            } finally {
                binary.release();
                for (Packet p : out) {
                    ctx.fireChannelRead(p);
                }
            }
        } else if (msg instanceof WebSocketFrame other) {
            other.release();
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME,
                    other.getClass().getSimpleName() + " (expected: text or binary frame)");
        } else if (msg instanceof FullHttpRequest request) {
            request.release();
            ctx.writeAndFlush(new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.NOT_FOUND))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private static void chooseWire(ChannelHandlerContext ctx, Wire w) {
        ctx.channel().attr(Wire.ATTR).setIfAbsent(w);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete
                && ctx.pipeline().get(WebSocketChannelInitializer.DEMO_PAGE) != null) {
            ctx.pipeline().remove(WebSocketChannelInitializer.DEMO_PAGE);
        }
        super.userEventTriggered(ctx, evt);
    }

    /** Packets in, frames out, framed as the connection's wire says. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Packet p)) {
            ctx.write(msg, promise);
            return;
        }
        WebSocketFrame frame;
        try {
            frame = Wire.of(ctx.channel()) == Wire.WS_BINARY
                    ? new BinaryWebSocketFrame(Packets.encode(ctx.alloc(), p))
                    : new TextWebSocketFrame(WsJson.writeServerFrame(ctx.alloc(), p.ver(), p.op(), p.seq(), p.body()));
        } finally {
            p.release();
        }
        ctx.write(frame, promise);
    }
}
