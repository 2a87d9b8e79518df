package io.goim.comet;

import io.goim.libs.protocol.Op;
import io.goim.libs.protocol.Packet;
import io.goim.libs.protocol.ProtocolException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * An authenticated connection: answers heartbeats (op 2 → 3), client messages (op 4 → 5,
 * echoing the body) and tests (op 254 → 255), closes on any other op, and closes a
 * connection that sent no heartbeat within the heartbeat timeout. When the connection
 * closes it is unregistered and logic is told.
 *
 * <p>Each heartbeat re-arms the timer on the event loop (goim's behaviour: only op 2
 * counts as a sign of life). Heartbeats come minutes apart, so this costs little.
 * Confined to the channel's event loop; one instance per channel.
 */
final class SessionHandler extends SimpleChannelInboundHandler<Packet> {
    private static final byte[] TEST_REPLY = "{\"test\":\"come on\"}".getBytes(StandardCharsets.UTF_8);

    private final CometContext comet;
    private final long timeoutNanos;
    private ScheduledFuture<?> timer;

    SessionHandler(CometContext comet) {
        this.comet = comet;
        this.timeoutNanos = comet.config().heartbeatTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        resetHeartbeatTimer(ctx);
    }

    /** (Re)arms the timer that closes the connection when no heartbeat comes in time. */
    private void resetHeartbeatTimer(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        timer = ctx.executor().schedule(() -> {
            comet.counters().heartbeatTimeouts.increment();
            logStep(ctx, "no heartbeat for {}, closing", comet.config().heartbeatTimeout());
            ctx.close();
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet p) {
        comet.counters().opReceived(p.op());
        switch (p.op()) {
            case Op.HEARTBEAT -> {
                resetHeartbeatTimer(ctx);
                logStep(ctx, "heartbeat seq {}", p.seq());
                comet.reply(ctx, new Packet(p.ver(), Op.HEARTBEAT_REPLY, p.seq(), Unpooled.EMPTY_BUFFER));
            }
            case Op.SEND_MSG -> {
                logStep(ctx, "message seq {}", p.seq());
                comet.reply(ctx, new Packet(p.ver(), Op.SEND_MSG_REPLY, p.seq(), p.body().retain()));
            }
            case Op.TEST -> comet.reply(ctx, new Packet(p.ver(), Op.TEST_REPLY, p.seq(),
                    Unpooled.wrappedBuffer(TEST_REPLY)));
            default -> comet.protocolError(ctx, new ProtocolException(ProtocolException.Kind.UNKNOWN_OP,
                    "op " + p.op() + " not accepted from a client"));
        }
    }

    private void logStep(ChannelHandlerContext ctx, String format, Object arg) {
        Connection c = Connection.of(ctx.channel());
        if (c != null) {
            comet.whitelist().log(c.key, format, arg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.cancel(false);
        Connection c = Connection.of(ctx.channel());
        if (c != null) {
            comet.unregister(c);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        comet.protocolError(ctx, cause);
    }
}
