package io.goim.client.internal;

import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one goim connection: sends auth (op 7) as soon as the transport is
 * ready (TCP connected, or WebSocket handshake done), then a heartbeat (op 2) every
 * interval once authenticated, matches replies to the {@link #request requests} sent on
 * it (by seq), and hands every other packet to the {@link Events}. A server that leaves
 * two heartbeats unanswered is considered gone: the connection is closed so the client
 * reconnects.
 *
 * <p>Seqs are unique per connection: one counter for auth, heartbeats and requests, which
 * skips 0 (the seq of pushes, so a push is never taken for a reply).
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

    private final byte[] login;
    private final boolean webSocket;
    private final long heartbeatNanos;
    private final Events events;
    private final Requests requests;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> heartbeat;
    private boolean authenticated;
    private boolean everAuthenticated;
    private int seq;
    private int unanswered;

    /**
     * @param login       the auth body: a v1 token, or a v2 login's JSON
     * @param maxRequests most requests awaiting a reply at once
     */
    public ClientHandler(byte[] login, boolean webSocket, long heartbeatNanos, int maxRequests, Events events) {
        this.login = login;
        this.webSocket = webSocket;
        this.heartbeatNanos = heartbeatNanos;
        this.requests = new Requests(maxRequests);
        this.events = events;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!webSocket) {
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

    private int nextSeq() {
        seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
        return seq;
    }

    private void sendAuth(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new Packet(1, Op.AUTH, nextSeq(), Unpooled.wrappedBuffer(login)));
    }

    /** Whether the server accepted this connection's auth. */
    public boolean isAuthenticated() {
        return authenticated;
    }

    /** Whether the server accepted this connection's auth, even if it has closed since. */
    public boolean wasAuthenticated() {
        return everAuthenticated;
    }

    /** Whether this connection speaks goim's WebSocket JSON framing (bodies are JSON text). */
    public boolean isWebSocket() {
        return webSocket;
    }

    /**
     * Sends {@code op} with {@code body} and a fresh seq; the future completes with the body of
     * the server's {@code replyOp} packet of that seq, or fails after {@code timeoutNanos}, or
     * when the connection closes first. Call on the event loop, once authenticated.
     */
    public CompletableFuture<byte[]> request(int op, int replyOp, byte[] body, long timeoutNanos) {
        int s = nextSeq();
        CompletableFuture<byte[]> reply = requests.add(s, op, replyOp, ctx.executor(), timeoutNanos);
        if (!reply.isDone()) {
            ctx.writeAndFlush(new Packet(1, op, s, Unpooled.wrappedBuffer(body)));
        }
        return reply;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet p) {
        switch (p.op()) {
            case Op.AUTH_REPLY -> {
                authenticated = true;
                everAuthenticated = true;
                heartbeat = ctx.executor().scheduleAtFixedRate(() -> beat(ctx),
                        heartbeatNanos, heartbeatNanos, TimeUnit.NANOSECONDS);
                events.authenticated();
            }
            case Op.HEARTBEAT_REPLY -> unanswered = 0;
            case Op.DISCONNECT_REPLY -> ctx.close();
            default -> {
                byte[] body = ByteBufUtil.getBytes(p.body());
                if (p.seq() == 0 || !requests.complete(p.op(), p.seq(), body)) {
                    events.packet(p.op(), body);
                }
            }
        }
    }

    private void beat(ChannelHandlerContext ctx) {
        if (++unanswered > 2) {
            events.failed(new IOException("server left " + (unanswered - 1) + " heartbeats unanswered"));
            ctx.close();
            return;
        }
        ctx.writeAndFlush(new Packet(1, Op.HEARTBEAT, nextSeq(), Unpooled.EMPTY_BUFFER));
    }

    /** Sends a client message (op 4 by default) on this connection, with seq 0: its reply is handed on as a push. */
    public static void send(io.netty.channel.Channel ch, int op, byte[] body) {
        ch.writeAndFlush(new Packet(1, op, 0, Unpooled.wrappedBuffer(body)));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        authenticated = false;
        requests.closeAll(new IOException("connection to " + ctx.channel().remoteAddress() + " closed"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        events.failed(cause);
        ctx.close();
    }
}
