package io.goim.comet.session;

import io.goim.comet.CometMeters;
import io.goim.comet.Whitelist;
import io.goim.comet.transport.ProtocolErrors;
import io.goim.comet.transport.Replies;
import io.goim.comet.transport.Wire;
import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.goim.protocol.ProtocolException;
import io.goim.proto.ConnectReply;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
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
 * answers. Packets the client sent behind its auth packet, already read with it (a login
 * and a heartbeat in one write, as goim clients may send them), are held and handed to
 * the session in order once op 8 is written, as goim answers them; at most
 * {@code comet.limits.held-before-auth-reply} of them (the rest of one read: a few KiB at
 * most), past which the connection is closed ({@link ProtocolException.Kind.TOO_MANY_BEFORE_AUTH}).
 * Confined to the channel's event loop; one instance per channel, replaced at login.
 */
public final class AuthHandler extends SimpleChannelInboundHandler<Packet> {
    private static final Logger log = LoggerFactory.getLogger(AuthHandler.class);

    private final Shared shared;
    /** The handshake timer until the auth packet, then the login timer. */
    private ScheduledFuture<?> handshakeTimer;
    /** The login in progress, or null before the auth packet. */
    private CompletableFuture<ConnectReply> login;
    /** Packets read behind the auth packet, in order, while its login is under way; null while none. */
    private ArrayDeque<Packet> held;

    /**
     * What every connection's auth stage shares; one instance per comet.
     *
     * @param maxHeld packets a client may send behind its auth packet before op 8 ({@code comet.limits.held-before-auth-reply})
     * @param session what the session that follows a login shares
     */
    public record Shared(Duration handshakeTimeout, Duration loginTimeout, int maxHeld, LoginWindow logins,
            Sessions sessions, Replies replies, ProtocolErrors errors, CometMeters.Auth meters,
            CometMeters.OpsReceived ops, Whitelist whitelist, SessionHandler.Shared session) {
    }

    public AuthHandler(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        handshakeTimer = closeAfter(ctx, shared.handshakeTimeout(), shared.meters().handshakeTimeouts(), "no auth");
    }

    /** Closes the connection after {@code timeout}, counted in {@code timeouts}, unless cancelled first. */
    private static ScheduledFuture<?> closeAfter(ChannelHandlerContext ctx, Duration timeout, Counter timeouts,
            String what) {
        return ctx.executor().schedule(() -> {
            timeouts.increment();
            log.debug("{}: {} within {}, closing", ctx.channel().remoteAddress(), what, timeout);
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
        releaseHeld();
    }

    private void releaseHeld() {
        if (held != null) {
            for (Packet p : held) {
                p.release();
            }
            held = null;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet p) {
        if (login != null) {
            hold(ctx, p); // read with the auth packet, before reads paused: answered after op 8
            return;
        }
        if (p.op() != Op.AUTH) {
            shared.errors().close(ctx, new ProtocolException(ProtocolException.Kind.NOT_AUTHENTICATED,
                    "op " + p.op() + " before auth"));
            return;
        }
        shared.ops().count(p.op());
        // The client did its part in time; what is left is comet's and logic's, which may
        // take longer than the handshake timeout in a login storm.
        handshakeTimer.cancel(false);
        handshakeTimer = closeAfter(ctx, shared.loginTimeout(), shared.meters().loginTimeouts(), "no answer from logic");
        ctx.channel().config().setAutoRead(false);
        byte[] token = ByteBufUtil.getBytes(p.body());
        int ver = p.ver();
        int seq = p.seq();
        login = shared.logins().connect(token);
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

    private void hold(ChannelHandlerContext ctx, Packet p) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        if (held.size() >= shared.maxHeld()) {
            releaseHeld();
            shared.errors().close(ctx, new ProtocolException(ProtocolException.Kind.TOO_MANY_BEFORE_AUTH, "more than "
                    + shared.maxHeld() + " packets sent before the auth reply"));
            return;
        }
        p.retain();
        held.add(p); // retained: SimpleChannelInboundHandler releases it after this call
    }

    private void authenticated(ChannelHandlerContext ctx, ConnectReply reply, int ver, int seq) {
        if (!ctx.channel().isActive()) {
            // Closed while logic answered: undo the registration logic just made.
            shared.sessions().disconnectLater(reply.getSession().isEmpty() ? reply.getKey() : reply.getSession(), reply.getRoomKey());
            return;
        }
        V2State v2 = !reply.getV2() ? null : new V2State(reply.getSession().isEmpty() ? null : reply.getSession(),
                reply.getAcceptsList().stream().mapToInt(Integer::intValue).toArray());
        Connection c = new Connection(reply.getKey(), reply.getUserId(), ctx.channel(), Wire.of(ctx.channel()), v2);
        shared.sessions().register(c, reply.getRoomKey());
        shared.meters().ok().increment();
        shared.whitelist().log(c.key, "authenticated user {} in room \"{}\"", c.userId, reply.getRoomKey());
        shared.replies().write(ctx, new Packet(ver, Op.AUTH_REPLY, seq, Unpooled.EMPTY_BUFFER));
        ArrayDeque<Packet> early = held;
        held = null; // handed to the session, not released when this handler is removed
        SessionHandler session = new SessionHandler(shared.session(), c);
        ctx.pipeline().replace(this, "session", session);
        if (early != null) {
            // In order, through the session as if just read; it may close the connection
            // (an op it does not accept), after which the rest is only released.
            ChannelHandlerContext sessionCtx = ctx.pipeline().context(session);
            for (Packet p; (p = early.poll()) != null; ) {
                if (sessionCtx != null && ctx.channel().isActive() && !sessionCtx.isRemoved()) {
                    try {
                        session.channelRead(sessionCtx, p); // releases p
                    } catch (Exception e) {
                        session.exceptionCaught(sessionCtx, e);
                    }
                } else {
                    p.release();
                }
            }
        }
        ctx.channel().config().setAutoRead(true);
    }

    private void authFailed(ChannelHandlerContext ctx, Throwable error) {
        shared.meters().failed().increment();
        log.debug("{}: auth failed: {}", ctx.channel().remoteAddress(), error.toString());
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        shared.errors().close(ctx, cause);
    }
}
