package io.goim.bench.baseline;

import io.goim.bench.JsonOps;
import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.goim.protocol.Packets;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * The minimal server's whole session logic, with no backend: an auth request (op 7) is
 * answered with op 8 and puts the channel in the room (a {@link ChannelGroup}); a heartbeat
 * (op 2) is answered with op 3; anything else is ignored. Both handlers are sharable and
 * stateless; they run on the channel's event loop.
 */
final class FanOutSessions {
    private static final byte[] EMPTY = new byte[0];

    private FanOutSessions() {
    }

    /** goim's binary TCP protocol, behind a {@code PacketCodec}. */
    @ChannelHandler.Sharable
    static final class Tcp extends SimpleChannelInboundHandler<Packet> {
        private final ChannelGroup room;

        Tcp(ChannelGroup room) {
            this.room = room;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Packet p) {
            if (p.op() == Op.AUTH) {
                ctx.writeAndFlush(Packets.encode(ctx.alloc(), p.ver(), Op.AUTH_REPLY, p.seq(), EMPTY), ctx.voidPromise());
                room.add(ctx.channel());
            } else if (p.op() == Op.HEARTBEAT) {
                ctx.writeAndFlush(Packets.encode(ctx.alloc(), p.ver(), Op.HEARTBEAT_REPLY, p.seq(), EMPTY), ctx.voidPromise());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** goim's WebSocket JSON text frames, behind the WebSocket server protocol handler. */
    @ChannelHandler.Sharable
    static final class WebSocket extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final ChannelGroup room;

        WebSocket(ChannelGroup room) {
            this.room = room;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            int op = JsonOps.firstOp(frame.content());
            if (op == Op.AUTH) {
                ctx.writeAndFlush(reply(Op.AUTH_REPLY), ctx.voidPromise());
                room.add(ctx.channel());
            } else if (op == Op.HEARTBEAT) {
                ctx.writeAndFlush(reply(Op.HEARTBEAT_REPLY), ctx.voidPromise());
            }
        }

        private static TextWebSocketFrame reply(int op) {
            return new TextWebSocketFrame("[{\"ver\":1,\"op\":" + op + ",\"seq\":0,\"body\":{}}]");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
