package io.goim.comet.cluster;

import io.goim.comet.CometMeters;
import io.goim.comet.session.Connection;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.comet.session.Room;
import io.goim.libs.log.RateLimitedLog;
import io.goim.proto.RenewOnlineReply;
import io.micrometer.core.instrument.Counter;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide online count of each room this comet holds, which goim v2 clients'
 * heartbeat replies carry (goim v2's {@code onlineproc} and {@code Room.AllOnline}). Every
 * {@code comet.online-interval} it sends this comet's room counts to logic
 * ({@code Logic.RenewOnline}, at most {@link #MAX_ROOMS_PER_CALL} rooms per call) and keeps
 * the counts logic answers, so a heartbeat costs a map lookup, never a call: the cost is
 * one call per interval (per few thousand rooms), however many clients beat.
 *
 * <p>A room logic does not count yet (it joined since logic's last counts refresh), or
 * every room while logic cannot be reached, is answered with this comet's own count, as
 * goim v2 falls back to the room's local count. A failed refresh is counted
 * ({@code goim_comet_online_renewals_total{outcome="failed"}}), logged rate-limited, and
 * simply repeated at the next interval; the counts it had stay.
 *
 * <p>The same call carries this comet's own counts (its connections, and which part of the
 * report it is, so the parts together list every room it holds), from which a session store whose counts can drift (Redis:
 * a count update lost to a timeout) corrects them (docs/operations.md, "Session store"). So
 * a comet sends one call per interval even when it holds no room.
 *
 * <p>Thread-safe: refreshes run on the refresher's own thread (never an event loop), and
 * the counts are replaced whole (one volatile reference), read by the event loops.
 */
public final class RoomOnline implements AutoCloseable {
    /** Rooms one RenewOnline call carries at most (tens of KB). */
    static final int MAX_ROOMS_PER_CALL = 2_000;
    private static final RateLimitedLog FAILURE_LOG =
            new RateLimitedLog(LoggerFactory.getLogger(RoomOnline.class), 30, TimeUnit.SECONDS);

    private final ConnectionRegistry buckets;
    private final LogicClient logic;
    private final Duration interval;
    private final Duration timeout;
    private final Counter ok;
    private final Counter failed;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("comet-online", true));
    /** Room key to its cluster-wide count, as of the last refresh. */
    private volatile Map<String, Integer> counts = Map.of();
    /** Reports sent so far, which names each report's parts; confined to the refresher's thread. */
    private long round;
    private final Duration recheck;
    /** A {@link #soon} waits to be taken by the refresher's thread. */
    private final AtomicBoolean soonAsked = new AtomicBoolean();
    /** Quick reports still to send, and whether one is scheduled; confined to the refresher's thread. */
    private int quickLeft;
    private boolean quickScheduled;

    /** {@code recheck}: how soon {@link #soon} reports (0: never sooner than {@code interval}). */
    public RoomOnline(ConnectionRegistry buckets, LogicClient logic, Duration interval, Duration recheck,
            Duration timeout, CometMeters.OnlineRenewals meters) {
        this.buckets = buckets;
        this.logic = logic;
        this.interval = interval;
        this.recheck = recheck;
        this.timeout = timeout;
        this.ok = meters.ok();
        this.failed = meters.failed();
    }

    /** Refreshes now, then every interval. */
    public void start() {
        try {
            timer.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // closed before it started
        }
    }

    /**
     * The online count a goim v2 heartbeat reply carries for {@code c}: its first room's
     * cluster-wide count (goim v2 knows one room per connection), 0 when it is in none.
     * A dirty read of the connection's room, as goim's. Any thread.
     */
    public int of(Connection c) {
        Room room = c.room;
        if (room == null) {
            return 0;
        }
        Integer n = counts.get(room.key);
        return n != null ? n : room.online(); // not refreshed since the room was made: its count in this bucket
    }

    /**
     * Reports {@code recheck} from now, and once more {@code recheck} after that, besides
     * the reports every interval: called when a login was given up or a call to logic
     * failed, which is when the session store's counts may have missed an update (a
     * script's reply lost to a timeout). The Redis store corrects a count from two reports
     * that agree, so the drift of a storm of such events is gone seconds after its last
     * one instead of within two intervals. Cheap and callable from any thread, as often as
     * the events come: while a storm lasts there is one report per recheck.
     */
    public void soon() {
        if (recheck.isZero() || !soonAsked.compareAndSet(false, true)) {
            return;
        }
        try {
            timer.execute(() -> {
                soonAsked.set(false);
                quickLeft = 2;
                if (!quickScheduled) {
                    quickScheduled = true;
                    timer.schedule(this::quickReport, recheck.toNanos(), TimeUnit.NANOSECONDS);
                }
            });
        } catch (RejectedExecutionException closed) {
            // stopping
        }
    }

    private void quickReport() {
        refresh();
        if (--quickLeft > 0) {
            timer.schedule(this::quickReport, recheck.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            quickScheduled = false;
        }
    }

    /** One refresh: this comet's counts out, the cluster's back, in calls of a bounded size. */
    void refresh() {
        Map<String, Integer> local = buckets.roomCounts();
        int connections = buckets.online();
        Map<String, Integer> previous = counts;
        Map<String, Integer> next = new HashMap<>(local.size() * 2);
        List<Map<String, Integer>> calls = split(local);
        if (calls.isEmpty()) {
            calls.add(Map.of()); // no room: the total still goes out
        }
        round++;
        for (int i = 0; i < calls.size(); i++) {
            Map<String, Integer> part = calls.get(i);
            RenewOnlineReply reply = null;
            try {
                reply = logic.renewOnline(part, connections, round, i + 1, calls.size()).get(timeout.toMillis() + 1_000,
                        TimeUnit.MILLISECONDS);
                ok.increment();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failed.increment();
                FAILURE_LOG.warn("RenewOnline of {} room(s) failed, heartbeat replies keep the last counts: {}",
                        part.size(), e.toString());
            }
            for (Map.Entry<String, Integer> room : part.entrySet()) {
                Integer all = reply != null ? reply.getAllRoomCountMap().get(room.getKey()) : previous.get(room.getKey());
                next.put(room.getKey(), all != null && all > 0 ? all : room.getValue());
            }
        }
        counts = next; // rooms this comet no longer holds are forgotten
    }

    private static List<Map<String, Integer>> split(Map<String, Integer> rooms) {
        List<Map<String, Integer>> parts = new ArrayList<>();
        Map<String, Integer> part = new HashMap<>();
        for (Map.Entry<String, Integer> e : rooms.entrySet()) {
            if (part.size() == MAX_ROOMS_PER_CALL) {
                parts.add(part);
                part = new HashMap<>();
            }
            part.put(e.getKey(), e.getValue());
        }
        if (!part.isEmpty()) {
            parts.add(part);
        }
        return parts;
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(1, TimeUnit.SECONDS);
    }
}
