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
 * Tells logic that a connection is gone, without waiting: the call is asynchronous, and
 * a transient failure (UNAVAILABLE, DEADLINE_EXCEEDED) is retried on a scheduler after
 * {@code backoff}, doubling each time, up to {@code retries} times. Other failures and
 * exhausted retries are counted and logged (rate-limited); the router forgets the
 * session anyway when it expires.
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
    private final Whitelist whitelist;
    private final RateLimitedLog lostLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    /** Disconnects not yet acknowledged or given up. */
    private final InFlight inFlight = new InFlight();

    public DisconnectNotifier(LogicClient logic, ScheduledExecutorService scheduler, int retries, Duration backoff,
            CometMeters.Disconnects meters, Whitelist whitelist) {
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
            Status.Code code = Status.fromThrowable(error).getCode();
            boolean transient_ = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
            if (transient_ && attempt < retries) {
                meters.retries().increment();
                try {
                    scheduler.schedule(() -> attempt(key, rooms, attempt + 1), backoffNanos << attempt,
                            TimeUnit.NANOSECONDS);
                    return;
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // comet is stopping: give up below
                }
            }
            meters.lost().increment();
            whitelist.log(key, "disconnect not reported to logic: {}", error);
            lostLog.warn("disconnect of {} not reported to logic after {} attempt(s): {}", key, attempt + 1,
                    error.toString());
            inFlight.end();
        });
    }
}
