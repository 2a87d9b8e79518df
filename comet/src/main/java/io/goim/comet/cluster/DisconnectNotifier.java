package io.goim.comet.cluster;

import io.goim.comet.CometMeters;
import io.goim.comet.Whitelist;
import io.goim.libs.lifecycle.InFlight;
import io.goim.libs.log.RateLimitedLog;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells logic that a connection is gone, or that a login whose Connect got no answer is to
 * be undone ({@link #undoLogin}), without waiting: the call is asynchronous, and
 * a transient failure (UNAVAILABLE, DEADLINE_EXCEEDED) is retried on a scheduler after
 * {@code backoff}, doubling each time, up to {@code retries} times. Other failures and
 * exhausted retries are counted and logged (rate-limited); the router forgets the
 * session anyway when it expires. Both are idempotent (a Disconnect names its comet, an
 * undo its login), so a retry of a call that was applied changes nothing.
 *
 * <p>Thread-safe; never blocks its caller.
 */
public final class DisconnectNotifier {
    private static final Logger log = LoggerFactory.getLogger(DisconnectNotifier.class);

    private final LogicClient logic;
    private final ScheduledExecutorService scheduler;
    private final int retries;
    private final long backoffNanos;
    private final CometMeters.Disconnects meters;
    private final CometMeters.Disconnects undoMeters;
    private final Whitelist whitelist;
    private final RateLimitedLog lostLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    /** Disconnects not yet acknowledged or given up. */
    private final InFlight inFlight = new InFlight();
    private final Runnable countsMayDrift;

    /**
     * {@code countsMayDrift} runs (on any thread) when a login is undone or a call failed:
     * what comes with count updates lost in the session store ({@link RoomOnline#soon}).
     */
    public DisconnectNotifier(LogicClient logic, ScheduledExecutorService scheduler, int retries, Duration backoff,
            CometMeters.Disconnects meters, CometMeters.Disconnects undoMeters, Whitelist whitelist,
            Runnable countsMayDrift) {
        this.countsMayDrift = countsMayDrift;
        this.undoMeters = undoMeters;
        this.logic = logic;
        this.scheduler = scheduler;
        this.retries = retries;
        this.backoffNanos = backoff.toNanos();
        this.meters = meters;
        this.whitelist = whitelist;
    }

    /** Reports the disconnect of {@code key} in the room set {@code rooms}; returns at once. */
    public void notify(String key, String rooms) {
        inFlight.begin();
        attempt(key, rooms, 0);
    }

    /**
     * Has logic undo login {@code loginId} of {@code token}, whose Connect got no answer
     * (see {@link io.goim.comet.session.LoginWindow}); returns at once. Counted in
     * {@code goim_comet_login_undos_total}; logic retries an undo its store failed itself
     * ({@code retrying}), so only a call logic did not take is retried here.
     */
    public void undoLogin(byte[] token, long loginId) {
        countsMayDrift.run();
        inFlight.begin();
        attemptUndo(token, loginId, 0);
    }

    private void attemptUndo(byte[] token, long loginId, int attempt) {
        logic.undo(token, loginId).whenComplete((reply, error) -> {
            if (error == null) {
                undoMeters.reported().increment();
                inFlight.end();
                return;
            }
            if (retryLater(error, attempt, undoMeters, () -> attemptUndo(token, loginId, attempt + 1))) {
                return;
            }
            undoMeters.lost().increment();
            lostLog.warn("undo of login {} (its Connect got no answer) not taken by logic after {} attempt(s); its"
                    + " session, if stored, stays until the store expires it: {}", Long.toHexString(loginId),
                    attempt + 1, error.toString());
            inFlight.end();
        });
    }

    /** Schedules {@code retry} after a transient {@code error} while retries are left; false when given up. */
    private boolean retryLater(Throwable error, int attempt, CometMeters.Disconnects counted, Runnable retry) {
        countsMayDrift.run();
        Status.Code code = Status.fromThrowable(error).getCode();
        boolean transient_ = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
        if (!transient_ || attempt >= retries) {
            return false;
        }
        counted.retries().increment();
        try {
            scheduler.schedule(retry, backoffNanos << attempt, TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            return false; // comet is stopping: give up
        }
    }

    /** Waits until every disconnect reported so far was acknowledged or given up, at most {@code timeout}; true if so. */
    boolean awaitSettled(Duration timeout) throws InterruptedException {
        return inFlight.awaitIdle(timeout);
    }

    private void attempt(String key, String rooms, int attempt) {
        logic.disconnect(key, rooms).whenComplete((reply, error) -> {
            if (error == null) {
                meters.reported().increment();
                whitelist.log(key, "disconnect reported to logic after {} attempt(s){}", attempt + 1, "");
                inFlight.end();
                return;
            }
            if (retryLater(error, attempt, meters, () -> attempt(key, rooms, attempt + 1))) {
                return;
            }
            meters.lost().increment();
            whitelist.log(key, "disconnect not reported to logic: {}", error);
            lostLog.warn("disconnect of {} not reported to logic after {} attempt(s): {}", key, attempt + 1,
                    error.toString());
            inFlight.end();
        });
    }
}
