package io.goim.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The life of one load-client connection, whatever its transport:
 * <pre>
 *  ready ──auth (op 7, token = user id)──▶ wait for op 8 ──▶ authenticated: pushes are
 *                                                           counted, heartbeats (op 2)
 *                                                           sent every interval
 * </pre>
 * Closing before the auth reply, or no reply within the auth timeout, counts as an auth
 * failure. Exactly one of {@code onAuthenticated} / {@code onAuthFailed} runs, once (they
 * give back the connection's auth slot; the second may schedule a new attempt).
 * Subclasses say how op 7 and op 2 are written and call {@link #authenticated} when op 8
 * arrives. One instance per channel; event loop only.
 */
abstract class LoadConnection extends ChannelInboundHandlerAdapter {
    protected final LoadStats stats;
    protected final long userId;
    private final long heartbeatNanos;
    private final long authTimeoutNanos;
    private final Runnable onAuthenticated;
    private final Runnable onAuthFailed;
    private final LoadClient.Lifecycle lifecycle;
    private boolean authed;
    private boolean slotReturned;
    private int seq = 1;
    private ScheduledFuture<?> authTimer;
    private ScheduledFuture<?> heartbeats;
    /** When this attempt began: the handler is built when its channel registers, just before the connect. */
    private final long startNanos = System.nanoTime();

    LoadConnection(LoadStats stats, long userId, long heartbeatNanos, long authTimeoutNanos, Runnable onAuthenticated,
            Runnable onAuthFailed, LoadClient.Lifecycle lifecycle) {
        this.stats = stats;
        this.userId = userId;
        this.heartbeatNanos = heartbeatNanos;
        this.authTimeoutNanos = authTimeoutNanos;
        this.onAuthenticated = onAuthenticated;
        this.onAuthFailed = onAuthFailed;
        this.lifecycle = lifecycle;
    }

    /** Writes the auth request (op 7) carrying {@link #userId} as the token. */
    protected abstract void writeAuth(ChannelHandlerContext ctx, int seq);

    /** Writes one heartbeat (op 2). */
    protected abstract void writeHeartbeat(ChannelHandlerContext ctx, int seq);

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        stats.connected.increment();
        stats.open.increment();
        authTimer = ctx.executor().schedule(() -> {
            if (!authed) {
                ctx.close();
            }
        }, authTimeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    /** Sends the auth request; called once the transport is ready (TCP: active; WebSocket: handshake done). */
    protected final void ready(ChannelHandlerContext ctx) {
        writeAuth(ctx, seq++);
    }

    protected final boolean isAuthed() {
        return authed;
    }

    /** Called by the subclass on the auth reply (op 8). */
    protected final void authenticated(ChannelHandlerContext ctx) {
        authed = true;
        authTimer.cancel(false);
        stats.authed.increment();
        stats.login.record((System.nanoTime() - startNanos) / 1_000);
        returnSlot(onAuthenticated);
        long first = ThreadLocalRandom.current().nextLong(heartbeatNanos);
        heartbeats = ctx.executor().scheduleAtFixedRate(() -> writeHeartbeat(ctx, seq++),
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
            returnSlot(onAuthFailed);
        } else if (!lifecycle.stopping()) {
            stats.dropped.increment();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and protocol errors end the connection; channelInactive counts the outcome.
        ctx.close();
    }

    private void returnSlot(Runnable outcome) {
        if (!slotReturned) {
            slotReturned = true;
            outcome.run();
        }
    }
}
