package io.goim.client.internal;

import io.goim.protocol.Packet;
import io.goim.protocol.WsJson;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * The client's WebSocket JSON pipeline piece: packets out as one text frame each (a
 * proto), server text frames (an array of protos, or one) in as packets, by the protocol
 * module's {@link WsJson}, the rules comet reads and writes by. A frame that breaks them
 * fails the connection ({@code ProtocolException}, a {@code CorruptedFrameException}).
 *
 * <p>One instance per channel.
 */
public final class WsJsonCodec extends MessageToMessageCodec<WebSocketFrame, Packet> {
    @Override
    protected void encode(ChannelHandlerContext ctx, Packet p, List<Object> out) {
        out.add(new TextWebSocketFrame(WsJson.writeClientFrame(ctx.alloc(), p.ver(), p.op(), p.seq(), p.body())));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (frame instanceof TextWebSocketFrame text) {
            WsJson.readServerFrame(text.content(), out);
        }
        // control frames are handled by Netty's protocol handler
    }
}
