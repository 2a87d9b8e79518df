package io.goim.bench;

import io.goim.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * A load connection over goim's WebSocket protocol (JSON text frames, path {@code /sub}).
 * Pipeline {@code HttpClientCodec → HttpObjectAggregator → WebSocketClientProtocolHandler →
 * this}. After the handshake it sends {@code {"ver":1,"op":7,"seq":1,"body":<user id>}};
 * every server frame is a JSON array of packets, counted by their {@code "op"} values
 * ({@link JsonOps}): op 8 authenticates, op 5 counts as a push (its latency is recorded when
 * its body carries a {@link SendStamp}, and its sequence logged when the stats keep
 * {@link Receipts}), op 3 as a heartbeat reply.
 * One instance per channel; event loop only.
 */
final class WsLoadConnection extends LoadConnection {
    WsLoadConnection(LoadStats stats, long userId, long heartbeatNanos, long authTimeoutNanos,
            Runnable onAuthenticated, Runnable onAuthFailed, LoadClient.Lifecycle lifecycle) {
        super(stats, userId, heartbeatNanos, authTimeoutNanos, onAuthenticated, onAuthFailed, lifecycle);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ready(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    protected void writeAuth(ChannelHandlerContext ctx, int seq) {
        write(ctx, Op.AUTH, seq, Long.toString(userId));
    }

    @Override
    protected void writeHeartbeat(ChannelHandlerContext ctx, int seq) {
        write(ctx, Op.HEARTBEAT, seq, "{}");
    }

    private static void write(ChannelHandlerContext ctx, int op, int seq, String body) {
        ctx.writeAndFlush(new TextWebSocketFrame("{\"ver\":1,\"op\":" + op + ",\"seq\":" + seq + ",\"body\":" + body + "}"),
                ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame frame) {
                count(ctx, frame.content());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void count(ChannelHandlerContext ctx, ByteBuf json) {
        long now = Latencies.nowMicros();
        Receipts receipts = stats.receipts;
        JsonOps ops = JsonOps.count(json, isAuthed() ? sent -> stats.latency.record(now - sent) : null,
                receipts == null ? null : seq -> receipts.add(seq, now));
        if (!isAuthed() && ops.authReplies() > 0) {
            authenticated(ctx);
        }
        if (isAuthed()) {
            stats.pushes.add(ops.pushes());
            stats.heartbeatReplies.add(ops.heartbeatReplies());
        }
    }
}
