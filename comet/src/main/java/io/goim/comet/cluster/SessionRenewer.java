package io.goim.comet.cluster;

import io.goim.comet.CometConfig;
import io.goim.comet.CometMeters;
import io.goim.comet.Whitelist;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.comet.session.Connection;
import io.goim.libs.log.RateLimitedLog;
import io.goim.proto.RenewReply;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the routers' sessions of this comet's connections alive (see docs/router-sessions.md).
 * Every {@code renew-interval} a round sends the subKey and room of every registered
 * connection to logic with {@code Logic.Renew}, {@code renew-batch} keys per call, at most
 * {@code renew-parallel} calls at a time (a restarted router relearns 19,000 connections in
 * a fraction of the time one call at a time would take), each with logic's deadline. The routers refresh the connections they know and
 * relearn those they forgot (a restart); a subKey a router holds on another comet comes
 * back as a conflict, and that connection is closed here without a Disconnect (which
 * would delete the other comet's session), so its client reconnects with a fresh subKey.
 *
 * <p>A round that fails (logic or a router unavailable) stops sending, and the next one comes
 * after {@code renew-retry} instead of the full interval: when the failing peer
 * recovers, it learns the connections within seconds.
 *
 * <p>{@link #renewNow} runs a round at once (and the periodic rounds continue from it):
 * {@link RouterEpochWatch} calls it when the routers' epoch changed, i.e. a router
 * restarted empty or came back, so it relearns every connection in seconds instead of
 * at the next periodic round.
 *
 * <p>Thread-safe. Rounds run on the renewer's own thread, never on an event loop; the
 * connections are copied bucket by bucket, so registration waits only for a copy.
 */
public final class SessionRenewer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionRenewer.class);

    private final ConnectionRegistry registry;
    private final LogicClient logic;
    private final CometMeters.Renew meters;
    private final Whitelist whitelist;
    private final Duration logicTimeout;
    private final long intervalNanos;
    private final long retryNanos;
    private final int batch;
    private final int parallel;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("comet-renew", true));
    private final RateLimitedLog failureLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    /** A renewNow request not yet run: requests made while one waits are one round. */
    private final AtomicBoolean nowRequested = new AtomicBoolean();
    /** The next scheduled round; touched only on the renewer's thread (and by start, before any round). */
    private ScheduledFuture<?> next;

    /** {@code config}: the renew interval, retry, batch and parallel calls, and logic's timeout. */
    public SessionRenewer(CometConfig config, ConnectionRegistry registry, LogicClient logic, CometMeters.Renew meters,
            Whitelist whitelist) {
        this.registry = registry;
        this.logic = logic;
        this.meters = meters;
        this.whitelist = whitelist;
        this.logicTimeout = config.logicTimeout();
        this.intervalNanos = config.renewInterval().toNanos();
        this.retryNanos = config.renewRetry().toNanos();
        this.batch = config.renewBatch();
        this.parallel = config.renewParallel();
    }

    /** Schedules the first round one interval from now, and the rest after it. */
    public void start() {
        schedule(intervalNanos);
    }

    private void schedule(long delayNanos) {
        try {
            next = scheduler.schedule(this::scheduledRound, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            // closed: no more rounds
        }
    }

    /**
     * Renews every connection as soon as the renewer's thread is free, instead of at the
     * next scheduled round; the next periodic round then comes one interval (or, if this
     * one fails, renew-retry) after it. Never blocks the caller.
     */
    public void renewNow() {
        if (!nowRequested.compareAndSet(false, true)) {
            return; // one is already waiting; it will see every connection registered until it starts
        }
        try {
            scheduler.execute(() -> {
                nowRequested.set(false);
                if (next != null) {
                    next.cancel(false);
                }
                scheduledRound();
            });
        } catch (RejectedExecutionException stopping) {
            // closed
        }
    }

    private void scheduledRound() {
        boolean ok;
        try {
            ok = renewAll();
        } catch (RuntimeException e) {
            failureLog.warn("renew round failed: {}", e.toString());
            ok = false;
        }
        schedule(ok ? intervalNanos : retryNanos);
    }

    /**
     * Renews every registered connection now, batch by batch with at most
     * {@code renew-parallel} calls outstanding, waiting on the calling thread (not an event
     * loop: it waits for logic). Returns false when a call failed; no batch is sent after
     * that (those left wait for the next round), and the calls already sent are waited for.
     */
    boolean renewAll() {
        List<Connection> all = registry.snapshot();
        long timeoutMillis = logicTimeout.toMillis();
        Semaphore slots = new Semaphore(parallel);
        AtomicBoolean failed = new AtomicBoolean();
        try {
            for (int from = 0; from < all.size() && !failed.get(); from += batch) {
                slots.acquire();
                if (failed.get()) {
                    slots.release();
                    break;
                }
                List<Connection> part = all.subList(from, Math.min(all.size(), from + batch));
                List<String> keys = new ArrayList<>(part.size());
                List<String> rooms = new ArrayList<>(part.size());
                List<String> clientKeys = new ArrayList<>(part.size());
                java.util.Map<String, Connection> bySession = new java.util.HashMap<>();
                boolean keyed = false;
                for (Connection c : part) {
                    keys.add(c.session());
                    rooms.add(registry.rooms(c));
                    clientKeys.add(c.clientKey());
                    keyed |= !c.clientKey().isEmpty();
                    bySession.put(c.session(), c);
                }
                List<String> sentClientKeys = keyed ? clientKeys : List.of();
                // The call has logic's deadline; the extra second only guards against a lost callback.
                logic.renew(keys, rooms, sentClientKeys).orTimeout(timeoutMillis + 1_000, TimeUnit.MILLISECONDS)
                        .whenComplete((reply, error) -> {
                            try {
                                if (error != null) {
                                    failed.set(true);
                                    failed(keys.size(), error);
                                } else {
                                    renewed(reply, bySession);
                                }
                            } finally {
                                slots.release();
                            }
                        });
            }
            slots.acquire(parallel); // every call sent has answered (or timed out)
            slots.release(parallel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !failed.get();
    }

    private void failed(int keys, Throwable error) {
        meters.failed().increment();
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        failureLog.warn("renew of {} connection(s) failed, retrying in {} ms: {}", keys,
                TimeUnit.NANOSECONDS.toMillis(retryNanos), cause.toString());
    }

    private void renewed(RenewReply reply, java.util.Map<String, Connection> bySession) {
        meters.ok().increment();
        meters.refreshed().increment(reply.getRefreshed());
        meters.relearned().increment(reply.getRelearned());
        if (reply.getRelearned() > 0) {
            log.info("routers relearned {} connection(s) of this comet", reply.getRelearned());
        }
        for (String key : reply.getConflictsList()) {
            closeConflict(key, bySession.get(key));
        }
    }

    /** {@code c}: the connection renewed under session {@code key}. */
    private void closeConflict(String key, Connection c) {
        if (c == null || registry.remove(c) == null) {
            return; // gone meanwhile
        }
        meters.conflictClosed().increment();
        whitelist.log(key, "closing {}: a router holds this subKey on another comet", c);
        failureLog.warn("closing {}: a router holds subKey {} on another comet", c, key);
        c.channel.close();
    }

    /** Stops scheduling rounds and waits briefly for a running one. */
    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(logicTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    }
}
