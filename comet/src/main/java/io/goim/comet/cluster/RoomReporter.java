package io.goim.comet.cluster;

import io.goim.comet.CometMeters;
import io.goim.comet.session.Connection;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.libs.log.RateLimitedLog;
import io.goim.proto.RenewReply;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Tells logic which rooms a connection is in after it changed them (ops 12, 18, 20), so
 * the routers' (or Redis') online counts per room follow. It uses the renew path
 * (Logic.Renew, the routers' Touch) rather than a call of its own: a renew carries a
 * connection's whole room set, and the stores already move a renewed connection between
 * room counts when its set changed, atomically with the session. Sending the state
 * rather than the step makes a report idempotent: a retry cannot count twice, and the
 * periodic renew rounds ({@link SessionRenewer}) send the same truth again.
 *
 * <p>One call in flight per comet; connections that change meanwhile wait and leave
 * together in the next call, each with its room set read when that call is made, so a
 * later call never carries an older state than an earlier one (no reordering between
 * calls). A failed call is retried after {@code retry}, with whatever changed since.
 *
 * <p>Thread-safe.
 */
public final class RoomReporter {
    private static final RateLimitedLog LOG = new RateLimitedLog(LoggerFactory.getLogger(RoomReporter.class), 10,
            TimeUnit.SECONDS);
    /** Connections one call carries at most. */
    private static final int MAX_BATCH = 1_000;

    private final ConnectionRegistry buckets;
    private final LogicClient logic;
    private final ScheduledExecutorService scheduler;
    private final long retryNanos;
    private final Counter reported;
    private final Counter failed;
    private final Counter conflicts;
    /** Connections whose rooms changed since their last report, in order; guarded by this. */
    private final LinkedHashSet<Connection> pending = new LinkedHashSet<>();
    /** A call is in flight or a retry is scheduled; guarded by this. */
    private boolean busy;

    public RoomReporter(ConnectionRegistry buckets, LogicClient logic, ScheduledExecutorService scheduler, Duration retry,
            CometMeters.RoomReports meters) {
        this.buckets = buckets;
        this.logic = logic;
        this.scheduler = scheduler;
        this.retryNanos = retry.toNanos();
        this.reported = meters.reported();
        this.failed = meters.failed();
        this.conflicts = meters.conflicts();
    }

    /** {@code c} changed rooms: its room set goes to logic soon. */
    public void changed(Connection c) {
        synchronized (this) {
            pending.add(c);
            if (busy) {
                return; // the call in flight sends it next
            }
            busy = true;
        }
        sendNext();
    }

    private void sendNext() {
        List<Connection> batch = new ArrayList<>();
        synchronized (this) {
            Iterator<Connection> it = pending.iterator();
            while (it.hasNext() && batch.size() < MAX_BATCH) {
                batch.add(it.next());
                it.remove();
            }
            if (batch.isEmpty()) {
                busy = false;
                return;
            }
        }
        List<String> keys = new ArrayList<>(batch.size());
        List<String> rooms = new ArrayList<>(batch.size());
        List<String> clientKeys = new ArrayList<>(batch.size());
        boolean keyed = false;
        Map<String, Connection> sent = new LinkedHashMap<>();
        for (Connection c : batch) {
            if (buckets.get(c.key) == c) { // a connection that closed meanwhile was reported by its Disconnect
                keys.add(c.session()); // the store names a connection by its session (a v2 client key is not one)
                rooms.add(buckets.rooms(c));
                clientKeys.add(c.clientKey());
                keyed |= !c.clientKey().isEmpty();
                sent.put(c.session(), c);
            }
        }
        if (keys.isEmpty()) {
            sendNext();
            return;
        }
        logic.renew(keys, rooms, keyed ? clientKeys : List.of()).whenComplete((reply, error) -> {
            if (error != null) {
                failed.increment();
                LOG.warn("reporting the room changes of {} connection(s) to logic failed, retrying: {}", keys.size(),
                        error.toString());
                synchronized (this) {
                    for (Connection c : sent.values()) {
                        pending.add(c);
                    }
                }
                retryLater();
                return;
            }
            reported.increment(keys.size());
            closeConflicts(reply, sent);
            sendNext();
        });
    }

    private void retryLater() {
        try {
            scheduler.schedule(this::sendNext, retryNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            synchronized (this) {
                busy = false; // comet is stopping; the sessions expire or are forgotten with it
            }
        }
    }

    private void closeConflicts(RenewReply reply, Map<String, Connection> bySession) {
        for (String key : reply.getConflictsList()) {
            Connection c = bySession.get(key);
            if (c != null && buckets.get(c.key) == c) {
                conflicts.increment();
                LOG.warn("closing {}: a router holds subKey {} on another comet", c, key);
                c.channel.close();
            }
        }
    }
}
