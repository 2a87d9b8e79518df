package io.goim.comet;

import io.goim.libs.protocol.Packet;
import io.goim.libs.protocol.Packets;
import io.goim.libs.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * Turns a WebSocket connection into a stream of goim {@link Packet}s, so it ends in the
 * same auth and session handlers as TCP, and turns their reply packets back into frames.
 *
 * <ul>
 *   <li>A text frame is one JSON object ({@link WebSocketJson}); replies go out as text
 *       frames holding a JSON array.</li>
 *   <li>A binary frame carries one or more goim binary packets laid end to end (goim v2
 *       clients); replies go out as binary frames in the same format.</li>
 * </ul>
 * The first data frame decides the connection's {@link Wire}, which pushes use too. A
 * frame that breaks these rules raises {@link ProtocolException} ({@code BAD_FRAME},
 * {@code PACKET_LENGTH}, {@code HEADER_LENGTH}); the handler behind closes the connection.
 * An HTTP request for another path than the WebSocket path gets 404.
 *
 * <p>One instance per channel; confined to its event loop.
 */
final class WebSocketPacketCodec extends MessageToMessageCodec<Object, Packet> {
    private final int maxBody;
    private Wire wire;

    WebSocketPacketCodec(int maxBody) {
        this.maxBody = maxBody;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof TextWebSocketFrame text) {
            chooseWire(ctx, Wire.WS_TEXT);
            out.add(WebSocketJson.decode(text.content(), maxBody));
        } else if (msg instanceof BinaryWebSocketFrame binary) {
            chooseWire(ctx, Wire.WS_BINARY);
            decodePackets(binary.content(), out);
        } else if (msg instanceof WebSocketFrame other) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME,
                    other.getClass().getSimpleName() + " (expected: text or binary frame)");
        } else if (msg instanceof FullHttpRequest request) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.NOT_FOUND))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            out.add(io.netty.util.ReferenceCountUtil.retain(msg));
        }
    }

    private void chooseWire(ChannelHandlerContext ctx, Wire w) {
        if (wire == null) {
            wire = w;
            ctx.channel().attr(Wire.ATTR).set(w);
        }
    }

    /** Splits a binary frame into packets, enforcing the same limits as the TCP decoder. */
    private void decodePackets(ByteBuf in, List<Object> out) {
        int maxPacket = Packets.HEADER_LENGTH + maxBody;
        if (!in.isReadable()) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "empty binary frame");
        }
        while (in.isReadable()) {
            if (in.readableBytes() < Packets.HEADER_LENGTH) {
                throw new ProtocolException(ProtocolException.Kind.PACKET_LENGTH,
                        "binary frame ends with " + in.readableBytes() + " bytes (expected: a 16-byte header)");
            }
            int packetLength = in.getInt(in.readerIndex());
            if (packetLength < Packets.HEADER_LENGTH || packetLength > maxPacket || packetLength > in.readableBytes()) {
                throw new ProtocolException(ProtocolException.Kind.PACKET_LENGTH, "packet length " + packetLength
                        + " (expected: " + Packets.HEADER_LENGTH + ".." + Math.min(maxPacket, in.readableBytes()) + ")");
            }
            int headerLength = in.getShort(in.readerIndex() + 4);
            if (headerLength != Packets.HEADER_LENGTH) {
                throw new ProtocolException(ProtocolException.Kind.HEADER_LENGTH,
                        "header length " + headerLength + " (expected: " + Packets.HEADER_LENGTH + ")");
            }
            in.skipBytes(6);
            int ver = in.readShort();
            int op = in.readInt();
            int seq = in.readInt();
            out.add(new Packet(ver, op, seq, in.readRetainedSlice(packetLength - Packets.HEADER_LENGTH)));
        }
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Packet p, List<Object> out) {
        if (wire == Wire.WS_BINARY) {
            out.add(new BinaryWebSocketFrame(Packets.encode(ctx.alloc(), p.ver(), p.op(), p.seq(), p.body())));
        } else {
            out.add(new TextWebSocketFrame(WebSocketJson.encode(ctx.alloc(), p.ver(), p.op(), p.seq(), p.body())));
        }
    }
}
