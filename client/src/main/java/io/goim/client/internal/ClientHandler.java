package io.goim.client.internal;

import io.goim.libs.protocol.Op;
import io.goim.libs.protocol.Packet;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one goim connection: sends auth (op 7) as soon as the transport is
 * ready (TCP connected, or WebSocket handshake done), then a heartbeat (op 2) every
 * interval once authenticated, and hands every other packet to the {@link Events}. A
 * server that leaves two heartbeats unanswered is considered gone: the connection is
 * closed so the client reconnects.
 *
 * <p>Confined to the channel's event loop; one instance per connection.
 */
public final class ClientHandler extends SimpleChannelInboundHandler<Packet> {
    /** What the handler reports to its client. Called on the event loop. */
    public interface Events {
        void authenticated();

        void packet(int op, byte[] body);

        /** The connection failed; it is being closed. */
        void failed(Throwable cause);
    }

    private final byte[] token;
    private final boolean waitForWebSocketHandshake;
    private final long heartbeatNanos;
    private final Events events;
    private ScheduledFuture<?> heartbeat;
    private int seq;
    private int unanswered;

    public ClientHandler(byte[] token, boolean webSocket, long heartbeatNanos, Events events) {
        this.token = token;
        this.waitForWebSocketHandshake = webSocket;
        this.heartbeatNanos = heartbeatNanos;
        this.events = events;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!waitForWebSocketHandshake) {
            sendAuth(ctx);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            sendAuth(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void sendAuth(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new Packet(1, Op.AUTH, ++seq, Unpooled.wrappedBuffer(token)));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet p) {
        switch (p.op()) {
            case Op.AUTH_REPLY -> {
                heartbeat = ctx.executor().scheduleAtFixedRate(() -> beat(ctx),
                        heartbeatNanos, heartbeatNanos, TimeUnit.NANOSECONDS);
                events.authenticated();
            }
            case Op.HEARTBEAT_REPLY -> unanswered = 0;
            case Op.DISCONNECT_REPLY -> ctx.close();
            default -> events.packet(p.op(), ByteBufUtil.getBytes(p.body()));
        }
    }

    private void beat(ChannelHandlerContext ctx) {
        if (++unanswered > 2) {
            events.failed(new java.io.IOException("server left " + (unanswered - 1) + " heartbeats unanswered"));
            ctx.close();
            return;
        }
        ctx.writeAndFlush(new Packet(1, Op.HEARTBEAT, ++seq, Unpooled.EMPTY_BUFFER));
    }

    /** Sends a client message (op 4 by default) on this connection. */
    public static void send(io.netty.channel.Channel ch, int op, byte[] body) {
        ch.writeAndFlush(new Packet(1, op, 0, Unpooled.wrappedBuffer(body)));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        events.failed(cause);
        ctx.close();
    }
}
