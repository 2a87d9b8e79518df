package io.goim.bench;

import io.goim.libs.protocol.Op;
import io.goim.libs.protocol.Packet;
import io.goim.libs.protocol.Packets;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The life of one load-client connection:
 * <pre>
 *  active ──op 7 (token = user id)──▶ wait for op 8 ──▶ authenticated: the PacketDecoder is
 *                                                      replaced by a {@link PushCounter};
 *                                                      heartbeats (op 2) every interval
 * </pre>
 * Closing before the auth reply, or no reply within the auth timeout, counts as an auth
 * failure. The connection's auth slot ({@link Runnable} {@code authDone}) is given back
 * exactly once, whatever the outcome. One instance per channel; event loop only.
 */
final class LoadConnection extends ChannelInboundHandlerAdapter {
    private static final byte[] EMPTY = new byte[0];

    private final LoadStats stats;
    private final long userId;
    private final long heartbeatNanos;
    private final long authTimeoutNanos;
    private final Runnable authDone;
    private final LoadClient.Lifecycle lifecycle;
    private boolean authed;
    private boolean slotReturned;
    private int seq = 1;
    private ScheduledFuture<?> authTimer;
    private ScheduledFuture<?> heartbeats;

    LoadConnection(LoadStats stats, long userId, long heartbeatNanos, long authTimeoutNanos, Runnable authDone,
            LoadClient.Lifecycle lifecycle) {
        this.stats = stats;
        this.userId = userId;
        this.heartbeatNanos = heartbeatNanos;
        this.authTimeoutNanos = authTimeoutNanos;
        this.authDone = authDone;
        this.lifecycle = lifecycle;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        stats.connected.increment();
        stats.open.increment();
        byte[] token = Long.toString(userId).getBytes(StandardCharsets.US_ASCII);
        ctx.writeAndFlush(Packets.encode(ctx.alloc(), 1, Op.AUTH, seq++, token), ctx.voidPromise());
        authTimer = ctx.executor().schedule(() -> {
            if (!authed) {
                ctx.close();
            }
        }, authTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!authed && msg instanceof Packet p && p.op() == Op.AUTH_REPLY) {
                onAuthenticated(ctx);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onAuthenticated(ChannelHandlerContext ctx) {
        authed = true;
        authTimer.cancel(false);
        stats.authed.increment();
        returnSlot();
        // Bytes after the auth reply in the same read are handed on to the counter.
        ctx.pipeline().replace("decoder", "counter", new PushCounter(stats));
        long first = ThreadLocalRandom.current().nextLong(heartbeatNanos);
        heartbeats = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(
                Packets.encode(ctx.alloc(), 1, Op.HEARTBEAT, seq++, EMPTY), ctx.voidPromise()),
                first, heartbeatNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stats.open.decrement();
        if (authTimer != null) {
            authTimer.cancel(false);
        }
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        if (!authed) {
            stats.authFailed.increment();
            returnSlot();
        } else if (!lifecycle.stopping()) {
            stats.dropped.increment();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and protocol errors end the connection; channelInactive counts the outcome.
        ctx.close();
    }

    private void returnSlot() {
        if (!slotReturned) {
            slotReturned = true;
            authDone.run();
        }
    }
}
