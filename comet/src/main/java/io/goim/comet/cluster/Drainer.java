package io.goim.comet.cluster;

import io.goim.comet.Whitelist;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.comet.transport.Replies;
import io.micrometer.core.instrument.Counter;
import io.goim.comet.session.Connection;
import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Comet's graceful drain, run by the shutdown sequence once the listeners are closed:
 * every authenticated client is sent op 6 (DISCONNECT_REPLY, in its own wire format: a
 * goim packet over TCP, a binary or JSON frame over WebSocket) and closed, in slices
 * spread evenly over {@code comet.drain.window}, so the clients reconnect to other comets
 * a few at a time rather than all at once. Each close goes through the connection's
 * normal path (unregister, {@code Logic.Disconnect}), so the routers forget it; the
 * drain then waits, at most {@code comet.shutdown-grace}, until logic acknowledged those
 * disconnects.
 *
 * <pre>
 *   window = 10 s, slice every 100 ms → 100 slices of ⌈n / 100⌉ connections
 *   t=0      t=0.1s   t=0.2s            t≈9.9s      then: connections that registered
 *   [op 6, close] ×k  per slice  ...   last slice   meanwhile; wait for Disconnects
 * </pre>
 *
 * <p>Runs on the calling (shutdown) thread, which sleeps between slices; the writes and
 * closes run on each connection's event loop. Not for concurrent use.
 */
public final class Drainer {
    private static final Logger log = LoggerFactory.getLogger(Drainer.class);
    /** Shortest time between two slices. */
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ConnectionRegistry registry;
    private final DisconnectNotifier disconnects;
    private final Replies replies;
    private final Counter drained;
    private final Whitelist whitelist;
    private final Duration grace;

    /**
     * @param disconnects the Disconnects the drain waits for
     * @param drained counts the connections told to go
     * @param grace how long the drain waits for the Disconnects ({@code comet.shutdown-grace})
     */
    public Drainer(ConnectionRegistry registry, DisconnectNotifier disconnects, Replies replies, Counter drained,
            Whitelist whitelist, Duration grace) {
        this.registry = registry;
        this.disconnects = disconnects;
        this.replies = replies;
        this.drained = drained;
        this.whitelist = whitelist;
        this.grace = grace;
    }

    /** Sends op 6 to and closes every connection over {@code window}, then waits for their Disconnects. */
    public void drain(Duration window) throws InterruptedException {
        List<Connection> all = registry.snapshot();
        long begin = System.nanoTime();
        int slices = (int) Math.max(1, Math.min(all.size(), window.toNanos() / SLICE_NANOS));
        log.info("draining {} connection(s) in {} slice(s) over {}", all.size(), slices, window);
        for (int i = 0; i < slices; i++) {
            long due = begin + window.toNanos() * i / slices;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int from = (int) ((long) all.size() * i / slices);
            int to = (int) ((long) all.size() * (i + 1) / slices);
            for (Connection c : all.subList(from, to)) {
                tellToGo(c);
            }
        }
        // Connections whose auth completed after the snapshot (the listeners were already closed).
        List<Connection> late = registry.snapshot();
        for (Connection c : late) {
            tellToGo(c);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        awaitUnregistered(all, deadline);
        awaitUnregistered(late, deadline);
        if (!disconnects.awaitSettled(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
            log.warn("drain: not every disconnect reached logic within {}; the routers expire the rest", grace);
        }
        log.info("drained {} connection(s) in {} ms", all.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    }

    /**
     * Waits until each connection's close has run its unregister step (which hands the
     * Disconnect to logic): Netty completes the close future first and runs
     * channelInactive as a later task on the same event loop, so a task queued after the
     * close future completed runs after it.
     */
    private static void awaitUnregistered(List<Connection> conns, long deadline) throws InterruptedException {
        Set<EventLoop> loops = new HashSet<>();
        for (Connection c : conns) {
            c.channel.closeFuture().await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            loops.add(c.channel.eventLoop());
        }
        for (EventLoop loop : loops) {
            try {
                loop.submit(() -> { }).await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopped) {
                // the loop is already shut down: nothing left to run on it
            }
        }
    }

    private void tellToGo(Connection c) {
        Channel ch = c.channel;
        ch.eventLoop().execute(() -> {
            if (!ch.isActive()) {
                return;
            }
            drained.increment();
            whitelist.log(c.key, "drain: op 6 and close {}", c);
            // Written and flushed on the event loop before the close, so it reaches the socket first.
            replies.write(ch, new Packet(1, Op.DISCONNECT_REPLY, 0, Unpooled.EMPTY_BUFFER));
            ch.close();
        });
    }
}
