package io.goim.logic.session;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logic's view of the session store's incarnations (docs/router-sessions.md, "A router that
 * restarts"): the routers', or Redis' ({@link RedisSessionStore}), each a shard of the
 * {@link SessionStore}. Every {@code router-watch-interval} it asks each router for its incarnation
 * (0 when it does not answer) and combines them into the <b>router epoch</b> that comets
 * poll with {@code Logic.RouterEpoch}: when it changes, they renew every connection at once.
 * Push lookups report the incarnation in each MGet reply too ({@link #observe}), so a
 * restart is noticed by the first push after it, not only by the next watch.
 *
 * <p>A router that restarted (a new incarnation) is <b>healing</b> for
 * {@code router-heal-window}: the comets are re-announcing their connections, and a user
 * of it not found may well be online. Push lookups ask {@link #healing} and refuse (503)
 * instead of answering {@code ret: 1} for a push that reaches nobody.
 *
 * <p>The epoch depends only on the router ids and their incarnations, so every logic with
 * the same routers gives the same value and a comet moving to another logic sees no change.
 *
 * <p>Thread-safe.
 */
public final class RouterEpochs {
    private static final Logger log = LoggerFactory.getLogger(RouterEpochs.class);

    private final SessionStore routers;
    private final int routerCount;
    private final long startNanos;
    private final long healNanos;
    private final LongSupplier nanoClock;
    private final Counter restarts;
    /** Last incarnation seen per router id (never 0: a round it does not answer leaves it as it was). */
    private final Map<Integer, Long> incarnations = new ConcurrentHashMap<>();
    /** Router ids whose last round went unanswered, so "does not answer" is logged once per outage. */
    private final Set<Integer> silent = ConcurrentHashMap.newKeySet();
    /** Per router id, the clock reading until which it heals. */
    private final Map<Integer, Long> healingUntil = new ConcurrentHashMap<>();
    private volatile long epoch;

    /** @param routerCount how many routers logic has; the epoch is 0 until each has answered once (see {@link #recompute}) */
    public RouterEpochs(SessionStore routers, int routerCount, Duration healWindow, LongSupplier nanoClock, Counter restarts) {
        this.routers = routers;
        this.routerCount = routerCount;
        this.healNanos = healWindow.toNanos();
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.restarts = restarts;
    }

    /** Asks the routers every {@code interval} on {@code timer}, starting now. */
    public void start(ScheduledExecutorService timer, Duration interval) {
        timer.scheduleWithFixedDelay(this::watch, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round: every router's incarnation, then the epoch. Never throws (it runs on a timer). */
    void watch() {
        try {
            routers.incarnations().thenAccept(answers -> {
                answers.forEach(this::observe);
                recompute();
            }).exceptionally(e -> {
                log.warn("router incarnation round failed: {}", e.toString());
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("router incarnation round failed: {}", e.toString());
        }
    }

    /**
     * Records router {@code id}'s {@code incarnation} (0: it did not answer). Only a new
     * incarnation of a known router starts its heal window and changes the epoch: that
     * router restarted and lost its sessions. A router that did not answer for a while and
     * answers again with the same incarnation kept them, so nothing is re-announced; under
     * load a busy router missing a round must not make every comet renew everything (which
     * would make it busier still).
     */
    public void observe(int id, long incarnation) {
        if (incarnation == 0) {
            if (silent.add(id)) {
                log.warn("{} does not answer", name(id));
            }
            recompute(); // the start-up wait for it may be over
            return;
        }
        boolean wasSilent = silent.remove(id);
        Long before = incarnations.put(id, incarnation);
        if (before == null) {
            recompute(); // first sighting: part of the epoch, not a restart
            return;
        }
        if (before == incarnation) {
            if (wasSilent) {
                log.info("{} answers again, same incarnation {}: its sessions are intact", name(id), incarnation);
            }
            return;
        }
        healingUntil.put(id, nanoClock.getAsLong() + healNanos);
        restarts.increment();
        log.warn("{} restarted (incarnation {} -> {}): comets re-announce their connections; "
                + "pushes to its users not found are refused for {} ms", name(id), before, incarnation,
                TimeUnit.NANOSECONDS.toMillis(healNanos));
        recompute();
    }

    /**
     * 0 ("not known yet": comets wait) until every router has answered once, or for at most
     * one heal window after start; otherwise a router slow to answer logic's first round
     * would look like one that changed, and every comet would renew everything while
     * clients log in. Past that window the routers that answered make the epoch, so one
     * router that stays down does not hide the restarts of the others.
     */
    private void recompute() {
        boolean allSeen = incarnations.size() >= routerCount;
        epoch = allSeen || nanoClock.getAsLong() - startNanos >= healNanos ? combine(incarnations) : 0;
    }

    /** How operators know shard {@code id} ("router 2", "redis"); without a store (tests that only observe), as a router. */
    private String name(int id) {
        return routers == null ? "router " + id : routers.shardName(id);
    }

    /** True while router {@code id} is in its heal window (see the class comment). */
    public boolean healing(int id) {
        Long until = healingUntil.get(id);
        if (until == null) {
            return false;
        }
        if (nanoClock.getAsLong() - until < 0) {
            return true;
        }
        healingUntil.remove(id, until);
        return false;
    }

    /** The router epoch; 0 until every router has answered once (at most one heal window after start). */
    public long epoch() {
        return epoch;
    }

    /** A hash of (id, incarnation) over every router, in id order; never 0. */
    static long combine(Map<Integer, Long> incarnations) {
        long h = 1;
        for (Map.Entry<Integer, Long> e : new TreeMap<>(incarnations).entrySet()) {
            h = mix(h * 31 + e.getKey());
            h = mix(h * 31 + e.getValue());
        }
        return h == 0 ? 1 : h;
    }

    /** murmur3's 64-bit finalizer. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
