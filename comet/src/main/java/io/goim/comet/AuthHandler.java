package io.goim.comet;

import io.goim.libs.protocol.Op;
import io.goim.libs.protocol.Packet;
import io.goim.libs.protocol.ProtocolException;
import io.goim.proto.ConnectReply;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage of a client connection: waits for the auth packet (op 7) within the
 * handshake timeout, then (within the login timeout) asks logic who the token belongs to, registers the connection and
 * answers op 8 with the client's seq, then replaces itself with a {@link SessionHandler}.
 * Any other first packet, a refused token or a timeout closes the connection.
 *
 * <p>The call to logic goes through the comet's {@link LoginWindow}; a connection that
 * closes while its login waits there is never sent. Reads are paused while logic
 * answers, so nothing else is processed before auth.
 * Confined to the channel's event loop; one instance per channel.
 */
final class AuthHandler extends SimpleChannelInboundHandler<Packet> {
    private static final Logger log = LoggerFactory.getLogger(AuthHandler.class);

    private final CometContext comet;
    /** The handshake timer until the auth packet, then the login timer. */
    private ScheduledFuture<?> handshakeTimer;
    /** The login in progress, or null before the auth packet. */
    private CompletableFuture<ConnectReply> login;

    AuthHandler(CometContext comet) {
        this.comet = comet;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Duration timeout = comet.config().handshakeTimeout();
        handshakeTimer = ctx.executor().schedule(() -> {
            comet.counters().handshakeTimeouts.increment();
            log.debug("{}: no auth within {}, closing", ctx.channel().remoteAddress(), timeout);
            ctx.close();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        handshakeTimer.cancel(false);
        if (login != null) {
            // Closed (or timed out) while waiting for room in the login window: never sent.
            login.cancel(false);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet p) {
        if (login != null) {
            return; // already authenticating; reads are paused, this was already in flight
        }
        if (p.op() != Op.AUTH) {
            comet.protocolError(ctx, new ProtocolException(ProtocolException.Kind.NOT_AUTHENTICATED,
                    "op " + p.op() + " before auth"));
            return;
        }
        comet.counters().opReceived(p.op());
        // The client did its part in time; what is left is comet's and logic's, which may
        // take longer than the handshake timeout in a login storm.
        handshakeTimer.cancel(false);
        Duration loginTimeout = comet.config().loginTimeout();
        handshakeTimer = ctx.executor().schedule(() -> {
            comet.counters().loginTimeouts.increment();
            log.debug("{}: no answer from logic within {}, closing", ctx.channel().remoteAddress(), loginTimeout);
            ctx.close();
        }, loginTimeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.channel().config().setAutoRead(false);
        byte[] token = ByteBufUtil.getBytes(p.body());
        int ver = p.ver();
        int seq = p.seq();
        login = comet.logins().connect(token);
        login.whenComplete((reply, error) -> ctx.executor().execute(() -> {
            if (error instanceof java.util.concurrent.CancellationException) {
                return; // the connection went away while waiting; nothing was sent
            }
            if (error != null) {
                authFailed(ctx, error);
            } else {
                authenticated(ctx, reply, ver, seq);
            }
        }));
    }

    private void authenticated(ChannelHandlerContext ctx, ConnectReply reply, int ver, int seq) {
        if (!ctx.channel().isActive()) {
            // Closed while logic answered: undo the registration logic just made.
            comet.disconnectLater(reply.getKey(), reply.getRoomId());
            return;
        }
        Connection c = new Connection(reply.getKey(), reply.getUserId(), reply.getRoomId(), ctx.channel(),
                Wire.of(ctx.channel()));
        comet.register(c);
        comet.counters().authOk.increment();
        comet.whitelist().log(c.key, "authenticated user {} in room {}", c.userId, c.roomId);
        comet.reply(ctx, new Packet(ver, Op.AUTH_REPLY, seq, Unpooled.EMPTY_BUFFER));
        ctx.pipeline().replace(this, "session", new SessionHandler(comet, c));
        ctx.channel().config().setAutoRead(true);
    }

    private void authFailed(ChannelHandlerContext ctx, Throwable error) {
        comet.counters().authFailed.increment();
        log.debug("{}: auth failed: {}", ctx.channel().remoteAddress(), error.toString());
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        comet.protocolError(ctx, cause);
    }
}
