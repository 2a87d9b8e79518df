package io.goim.comet.push;

import io.goim.comet.CometMeters;
import io.goim.comet.Whitelist;
import io.goim.comet.session.Connection;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.libs.log.RateLimitedLog;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.slf4j.LoggerFactory;

/**
 * Where pushes wait for the event loops that write them: one {@link LoopOutbox} per loop
 * that holds connections, and the comet-wide budget of bytes that may wait in them.
 *
 * <p>Flow control: a push call is {@link #admit admitted} only while fewer than
 * {@code comet.push.max-pending} bytes wait; otherwise the caller answers
 * {@code RESOURCE_EXHAUSTED} and job retries later, so a backlog waits in Kafka, not in
 * comet's memory. Up to {@code comet.push.room-window} room calls are answered as soon as
 * they are queued, so job keeps the loops fed; beyond that, and for broadcasts, a call
 * is answered when every loop has written it, so job's batches grow exactly while comet
 * is behind. After a room round, a loop's room lane rests in proportion to the round
 * ({@link PassRest}), so a busy loop makes fewer, fuller writes.
 *
 * <p>Thread-safe.
 */
public final class Outboxes {
    private static final RateLimitedLog SLOW_LOG =
            new RateLimitedLog(LoggerFactory.getLogger(Outboxes.class), 10, TimeUnit.SECONDS);

    private final ConcurrentMap<EventLoop, LoopOutbox> byLoop = new ConcurrentHashMap<>();
    private final ConnectionRegistry buckets;
    private final CometMeters.Push meters;
    private final Whitelist whitelist;
    private final long maxPending;
    private final long maxBacklog;
    private final int roomWindow;
    private final PassRest rest;
    private final AtomicLong pending = new AtomicLong();
    /** Room calls answered before their writes and not yet written. */
    private final AtomicInteger answeredEarly = new AtomicInteger();

    public Outboxes(ConnectionRegistry buckets, CometMeters.Push meters, Whitelist whitelist, long maxPending, int roomWindow,
            PassRest rest, long maxBacklog) {
        this.buckets = buckets;
        this.meters = meters;
        this.whitelist = whitelist;
        this.maxPending = maxPending;
        this.roomWindow = roomWindow;
        this.rest = rest;
        this.maxBacklog = maxBacklog;
    }

    /** The outbox of {@code loop}, made on first use. */
    public LoopOutbox of(EventLoop loop) {
        LoopOutbox o = byLoop.get(loop);
        return o != null ? o : byLoop.computeIfAbsent(loop, l -> new LoopOutbox(l, this, rest));
    }

    /**
     * Whether a push call may queue now: false, counted, while {@code max-pending} bytes
     * wait. An admitted call may take the total past the limit by its own size, so any
     * message fits however small the limit.
     */
    boolean admit() {
        if (pending.get() >= maxPending) {
            meters.refused().increment();
            return false;
        }
        return true;
    }

    /** What {@link #toKeys} queued: how many keys had a connection here, and the index of the last (-1: none). */
    record Queued(int count, int last) {
    }

    /** Queues {@code msg} for the connections registered under {@code keys}. */
    Queued toKeys(List<String> keys, PushMessage msg) {
        Delivery.Push push = new Delivery.Push(written -> { }); // answered once queued: nothing waits for the writes
        int count = 0;
        int last = -1;
        for (int i = 0; i < keys.size(); i++) {
            Connection c = buckets.get(keys.get(i));
            if (c != null) {
                offer(of(c.channel.eventLoop()), Delivery.toKey(c, msg, push));
                count++;
                last = i;
            }
        }
        push.submitted();
        return new Queued(count, last);
    }

    /**
     * Queues {@code msg} for room {@code room} on every loop. {@code onDone} runs at once
     * (with -1) while fewer than {@code push.room-window} room calls answered that way are
     * still unwritten, otherwise when every loop has written the message (with the number
     * of connections written to). The window lets job send a room's next batch while
     * the loops write, so what piles up between two rounds leaves in one write; past it,
     * job waits for comet.
     */
    void toRoom(String room, PushMessage msg, IntConsumer onDone) {
        boolean early = answeredEarly.incrementAndGet() <= roomWindow;
        if (!early) {
            answeredEarly.decrementAndGet();
        }
        Delivery.Push push = new Delivery.Push(written -> {
            if (early) {
                answeredEarly.decrementAndGet();
            } else {
                onDone.accept(written);
            }
        });
        for (LoopOutbox o : byLoop.values()) {
            offer(o, Delivery.toRoom(room, msg, push));
        }
        if (early) {
            onDone.accept(-1); // after the offers: job's next batch of the room queues behind this one
        }
        push.submitted();
    }

    /** Queues {@code msg} for every connection on every loop; completes {@code onDone} when all have written it. */
    void toAll(PushMessage msg, IntConsumer onDone) {
        Delivery.Push push = new Delivery.Push(onDone);
        for (LoopOutbox o : byLoop.values()) {
            offer(o, Delivery.toAll(msg, push));
        }
        push.submitted();
    }

    /** Queues {@code msg} for {@code connections}, all running on {@code loop} (a paced broadcast's step). */
    void toSome(EventLoop loop, List<Connection> connections, PushMessage msg, Delivery.Push push) {
        offer(of(loop), Delivery.toSome(connections, msg, push));
    }

    /**
     * Counts {@code bytes} as waiting, for a message held outside the outboxes (a paced
     * broadcast's, between its steps), so {@code max-pending} bounds it too; undone by
     * {@link #released}.
     */
    void hold(long bytes) {
        pending.addAndGet(bytes);
    }

    private void offer(LoopOutbox o, Delivery d) {
        pending.addAndGet(d.message.size());
        o.offer(d);
    }

    /** A delivery of {@code bytes} was written or skipped. */
    void released(long bytes) {
        pending.addAndGet(-bytes);
    }

    /** Bytes waiting in the outboxes now. */
    public long pending() {
        return pending.get();
    }

    /** A room or broadcast write carried {@code messages} messages. */
    void merged(int messages) {
        meters.merged().record(messages);
    }

    /** Closes {@code c}, whose outbound backlog has passed {@code max-backlog}; counted as a slow consumer. */
    void slowConsumer(Connection c, long backlogBytes) {
        meters.slowConsumers().increment();
        SLOW_LOG.warn("closing {}: {} bytes waiting to be written, more than comet.write-buffer.max-backlog ({})",
                c, backlogBytes, maxBacklog);
        whitelist.log(c.key, "closed as a slow consumer: {} bytes waiting", backlogBytes);
        c.channel.close();
    }

    ConnectionRegistry buckets() {
        return buckets;
    }

    CometMeters.Push meters() {
        return meters;
    }

    Whitelist whitelist() {
        return whitelist;
    }

    long maxBacklog() {
        return maxBacklog;
    }
}
