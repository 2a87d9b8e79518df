package io.goim.bench;

import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.goim.protocol.Packets;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * A load connection over goim's binary TCP protocol. Pipeline
 * {@code PacketCodec ("decoder") → this}; on the auth reply the decoder is replaced by a
 * {@link PushCounter}, which also receives the bytes that followed the reply in the same read.
 * One instance per channel; event loop only.
 */
final class TcpLoadConnection extends LoadConnection {
    private static final byte[] EMPTY = new byte[0];

    TcpLoadConnection(LoadStats stats, long userId, long heartbeatNanos, long authTimeoutNanos,
            Runnable onAuthenticated, Runnable onAuthFailed, LoadClient.Lifecycle lifecycle) {
        super(stats, userId, heartbeatNanos, authTimeoutNanos, onAuthenticated, onAuthFailed, lifecycle);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        super.channelActive(ctx);
        ready(ctx);
    }

    @Override
    protected void writeAuth(ChannelHandlerContext ctx, int seq) {
        byte[] token = Long.toString(userId).getBytes(StandardCharsets.US_ASCII);
        ctx.writeAndFlush(Packets.encode(ctx.alloc(), 1, Op.AUTH, seq, token), ctx.voidPromise());
    }

    @Override
    protected void writeHeartbeat(ChannelHandlerContext ctx, int seq) {
        ctx.writeAndFlush(Packets.encode(ctx.alloc(), 1, Op.HEARTBEAT, seq, EMPTY), ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!isAuthed() && msg instanceof Packet p && p.op() == Op.AUTH_REPLY) {
                authenticated(ctx);
                ctx.pipeline().replace("decoder", "counter", new PushCounter(stats));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }
}
