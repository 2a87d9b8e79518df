package io.goim.comet.push;

import io.goim.comet.CometMeters;
import io.goim.comet.session.Connection;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.libs.log.RateLimitedLog;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * Broadcasts with a speed (goim v2's {@code /goim/push/all?speed=N}; job gives each comet
 * {@code N / comets} connections per second): the message goes to this comet's
 * connections at most {@code speed} per second, bucket after bucket as goim v2's comet
 * does, so a broadcast to a million users does not make them all come back at once.
 *
 * <p>Each step takes the next {@code speed / 10} connections (at least one) in bucket order and queues the message for them on their
 * event loops ({@link Outboxes#toSome}); the next step comes after those connections'
 * share of a second ({@code n / speed} s: about 100 ms, so a step's burst is a tenth of the
 * speed). A bucket's connections are copied when its
 * turn comes (under its lock, briefly), so a connection registered before its bucket's
 * turn gets the message, one that closed meanwhile is skipped, and one that connects
 * after its bucket's turn does not (as in goim v2). Connections are never dropped for
 * pacing: every connection of a bucket is written to, only later.
 *
 * <p>Nothing waits: the steps run on the pacer's own thread, never an event loop or a
 * gRPC thread, and the call is answered as soon as the broadcast is accepted (goim v2
 * answers at once too): pacing takes {@code connections / speed} seconds, which no push
 * deadline could wait for. Accepted is then a promise kept while this comet runs.
 *
 * <p>Bounded: at most {@code comet.push.max-paced-broadcasts} run at once (one more is
 * refused, counted in {@code goim_comet_paced_broadcasts_total{outcome="refused"}}, and
 * job retries it later); each holds its message, counted in {@code comet.push.max-pending},
 * and one bucket's list of connections.
 *
 * <p>Thread-safe.
 */
public final class PacedBroadcasts implements AutoCloseable {
    /**
     * Connections one step takes at most, so a very high speed (a comet's share above 100,000
     * a second) makes steps more frequent rather than lists longer.
     */
    static final int MAX_PER_STEP = 10_000;
    private static final RateLimitedLog LOG =
            new RateLimitedLog(LoggerFactory.getLogger(PacedBroadcasts.class), 10, TimeUnit.SECONDS);

    private final ConnectionRegistry buckets;
    private final Outboxes outboxes;
    private final int max;
    private final AtomicInteger running = new AtomicInteger();
    /** The broadcasts not done, so {@link #close} releases their messages. */
    private final Set<Paced> active = ConcurrentHashMap.newKeySet();
    private final Counter started;
    private final Counter refused;
    private final Counter finished;
    private final ScheduledExecutorService pacer =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("comet-paced-broadcast", true));

    /** {@code max}: broadcasts paced at once at most ({@code comet.push.max-paced-broadcasts}). */
    public PacedBroadcasts(ConnectionRegistry buckets, Outboxes outboxes, int max, CometMeters.Paced meters) {
        this.buckets = buckets;
        this.outboxes = outboxes;
        this.max = max;
        this.started = meters.started();
        this.refused = meters.refused();
        this.finished = meters.finished();
    }

    /**
     * Starts broadcasting {@code msg} at {@code speed} connections per second; false, and
     * nothing held, when {@code max-paced-broadcasts} already run (or comet is stopping).
     * Holds its own reference to {@code msg} until done.
     */
    boolean start(PushMessage msg, int speed) {
        if (running.incrementAndGet() > max) {
            running.decrementAndGet();
            refused.increment();
            LOG.warn("refused a broadcast at {} connections/s: {} paced broadcasts run already"
                    + " (comet.push.max-paced-broadcasts); job retries it", speed, max);
            return false;
        }
        Paced p = new Paced(msg.retain(), speed);
        outboxes.hold(msg.size());
        active.add(p);
        try {
            pacer.execute(p::step);
        } catch (RejectedExecutionException stopping) {
            p.done();
            return false;
        }
        started.increment();
        return true;
    }

    /** Paced broadcasts running now (a gauge). */
    public int running() {
        return running.get();
    }

    /** One broadcast being paced; its state is confined to the pacer's thread. */
    private final class Paced {
        private final PushMessage msg;
        private final int speed;
        private final int perStep;
        private final AtomicBoolean done = new AtomicBoolean();
        /** The next bucket to copy. */
        private int bucket;
        /** The current bucket's connections, and the next one to send to. */
        private final List<Connection> current = new ArrayList<>();
        private int next;

        Paced(PushMessage msg, int speed) {
            this.msg = msg;
            this.speed = speed;
            this.perStep = Math.min(MAX_PER_STEP, Math.max(1, speed / 10));
        }

        void step() {
            try {
                int sent = 0;
                Map<EventLoop, List<Connection>> byLoop = new HashMap<>();
                while (sent < perStep) {
                    if (next == current.size()) {
                        current.clear();
                        next = 0;
                        if (bucket == buckets.count()) {
                            break;
                        }
                        buckets.collect(bucket++, current);
                        continue;
                    }
                    Connection c = current.get(next++);
                    byLoop.computeIfAbsent(c.channel.eventLoop(), l -> new ArrayList<>()).add(c);
                    sent++;
                }
                Delivery.Push push = new Delivery.Push(written -> { }); // nobody waits: the call was answered
                byLoop.forEach((loop, connections) -> outboxes.toSome(loop, connections, msg, push));
                push.submitted();
                // Done once nothing is left, rather than one step later.
                while (next == current.size() && bucket < buckets.count()) {
                    current.clear();
                    next = 0;
                    buckets.collect(bucket++, current);
                }
                if (next == current.size()) {
                    done(); // every bucket's turn came
                    finished.increment();
                    return;
                }
                // This step's connections' share of a second: about 100 ms (speed / 10 per step),
                // or 1 / speed s for a speed under 10.
                pacer.schedule(this::step, sent * 1_000_000_000L / speed, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                done(); // comet is stopping; its clients are being closed
            } catch (RuntimeException e) {
                LOG.warn("a paced broadcast failed and stopped: {}", e.toString());
                done();
            }
        }

        void done() {
            if (done.compareAndSet(false, true)) {
                active.remove(this);
                outboxes.released(msg.size());
                msg.release();
                running.decrementAndGet();
            }
        }
    }

    /** Stops pacing: the broadcasts not finished end here (comet is stopping and closes its clients). */
    @Override
    public void close() throws InterruptedException {
        pacer.shutdownNow();
        pacer.awaitTermination(1, TimeUnit.SECONDS);
        for (Paced p : active) {
            p.done();
        }
    }
}
