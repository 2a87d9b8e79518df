package io.goim.comet.transport;

import io.goim.comet.CometConfig;
import io.goim.libs.log.RateLimitedLog;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link PerIpLimits} to every client listener of a comet, as connections are
 * accepted: it sits in the listeners' server channels, ahead of Netty's acceptor, on the
 * one accept loop, so the limits need no lock and a refused connection is closed before it
 * is registered with an event loop or given a pipeline: it costs nothing beyond the socket
 * the kernel accepted. The client sees the connection closed at once; each refusal is
 * counted ({@code goim_comet_connections_refused_total}, by reason) and logged, rate-limited.
 *
 * <p>An admitted connection's close is handed back to the accept loop, by one listener
 * shared by all connections (the address is read back from the channel, which keeps it).
 */
@Sharable
public final class PerIpGate extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PerIpGate.class);

    private final EventLoop acceptLoop;
    private final PerIpLimits limits;
    private final CometConfig.Limits config;
    private final Map<PerIpLimits.Refusal, Counter> refused;
    private final RateLimitedLog refusedLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    /** {@link PerIpLimits#addresses()}, published for the metrics scrape, which runs on another thread. */
    private final AtomicInteger addresses = new AtomicInteger();
    /** {@link PerIpLimits#addressesOpen()}, published for the announcer and the scrape. */
    private final AtomicInteger addressesOpen = new AtomicInteger();
    private final ChannelFutureListener onClose = f -> closed(f.channel());

    /** @param acceptLoop the loop every client listener's server channel is registered with */
    public PerIpGate(EventLoop acceptLoop, CometConfig.Limits config, Map<PerIpLimits.Refusal, Counter> refused) {
        this.acceptLoop = acceptLoop;
        this.config = config;
        this.limits = new PerIpLimits(config.perIpConnections(), config.perIpLoginRate(), config.perIpLoginBurst());
        this.refused = refused;
    }

    /** Client addresses (IPv6: /64s) the limits remember, as last published by the accept loop. */
    public int addresses() {
        return addresses.get();
    }

    /**
     * Client addresses (an IPv6 client counted by its /64) with at least one connection open
     * (accepted, logged in or not): goim v2's ip_count, which the comet announces. Any thread.
     */
    public int addressesOpen() {
        return addressesOpen.get();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel child)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!acceptLoop.inEventLoop()) {
            // The limits are not thread-safe: every client listener must accept on one loop.
            throw new IllegalStateException("client listeners must share one accept loop");
        }
        long key = PerIpLimits.key(child.remoteAddress());
        PerIpLimits.Refusal refusal = limits.admit(key, System.nanoTime());
        addresses.lazySet(limits.addresses());
        addressesOpen.lazySet(limits.addressesOpen());
        if (refusal != null) {
            refused.get(refusal).increment();
            refusedLog.warn("refused a connection from {}: {} ({} open from that address; limits: {} open, {}/s, burst {})",
                    child.remoteAddress(), refusal.label, limits.open(key), config.perIpConnections(),
                    config.perIpLoginRate(), config.perIpLoginBurst());
            child.unsafe().closeForcibly(); // not registered yet: as Netty's acceptor closes a child it cannot register
            return;
        }
        child.closeFuture().addListener(onClose);
        ctx.fireChannelRead(child);
    }

    private void closed(Channel child) {
        long key = PerIpLimits.key(child.remoteAddress());
        if (acceptLoop.inEventLoop()) {
            release(key);
        } else if (!acceptLoop.isShuttingDown()) {
            acceptLoop.execute(() -> release(key));
        }
    }

    private void release(long key) {
        limits.closed(key, System.nanoTime());
        addresses.lazySet(limits.addresses());
        addressesOpen.lazySet(limits.addressesOpen());
    }
}
