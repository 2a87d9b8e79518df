package io.goim.logic.session;

import io.goim.libs.log.RateLimitedLog;
import io.grpc.Context;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes logins in the session store ({@link SessionStore#undo}), and retries an undo the
 * store failed (its deadline passed under load, it was unreachable for a moment): a failed
 * undo would leave a session nobody holds, counted online until the store expires it. An
 * undo names its login, so applying it twice changes nothing, and a retry is always safe.
 *
 * <p>Retries wait {@code backoff}, then twice as long each time (with jitter, so undos that
 * failed together do not come back together), up to {@code retries} times; at most
 * {@code maxPending} undos wait for a retry at once, and one that fails beyond that is
 * given up at once (memory stays bounded however long the store is down). Retried attempts
 * and undos given up are counted ({@code goim_logic_undo_retries_total},
 * {@code goim_logic_undos_given_up_total}) and logged rate-limited.
 *
 * <p>Never blocks: attempts are the store's asynchronous calls, retries are scheduled on
 * {@code timer} (which only starts them).
 *
 * <p>Thread-safe.
 */
public final class LoginUndos {
    private static final Logger log = LoggerFactory.getLogger(LoginUndos.class);
    /** Longest wait before one retry, however many came before. */
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** {@code logic.undo-retry}. */
    public record Config(int retries, Duration backoff, int maxPending) {
    }

    /** What {@link LoginUndos} counts. */
    public record Meters(Counter retries, Counter givenUp) {
    }

    /**
     * What became of one undo. {@code firstTry}: the first attempt's outcome, whether a
     * session was deleted, or false when it failed and a retry is scheduled ({@link #retrying}
     * then true); failed when the undo was given up at once. {@code settled}: whether a session was
     * deleted, once an attempt succeeded; failed when the undo was given up (UNAVAILABLE, or
     * the store's own status when it refused the undo).
     */
    public static final class Undo {
        final CompletableFuture<Boolean> firstTry = new CompletableFuture<>();
        final CompletableFuture<Boolean> settled = new CompletableFuture<>();
        private final long userId;
        private final long loginId;
        private final int server;
        private volatile boolean retrying;
        private int attempt;
        private boolean counted;

        private Undo(long userId, long loginId, int server) {
            this.userId = userId;
            this.loginId = loginId;
            this.server = server;
        }

        /** The first attempt's outcome (see above); read-only for callers outside this package. */
        public CompletionStage<Boolean> firstTry() {
            return firstTry;
        }

        /** Whether a session was deleted, once the undo settled (see above). */
        public CompletionStage<Boolean> settled() {
            return settled;
        }

        /** True once a retry was scheduled. */
        public boolean retrying() {
            return retrying;
        }
    }

    private final RateLimitedLog warnLog = new RateLimitedLog(log, 1, TimeUnit.SECONDS);
    private final SessionStore store;
    private final ScheduledExecutorService timer;
    private final int retries;
    private final long backoffNanos;
    private final int maxPending;
    private final Meters meters;
    /** Undos waiting for (or in) a retry. */
    private final AtomicInteger pending = new AtomicInteger();

    public LoginUndos(SessionStore store, ScheduledExecutorService timer, Config config, Meters meters) {
        this.store = store;
        this.timer = timer;
        this.retries = config.retries();
        this.backoffNanos = Math.max(1, config.backoff().toNanos());
        this.maxPending = config.maxPending();
        this.meters = meters;
    }

    /** Undoes login {@code loginId} of {@code userId}, sent by comet {@code server}; returns at once. */
    public Undo undo(long userId, long loginId, int server) {
        Undo u = new Undo(userId, loginId, server);
        // Outside the caller's gRPC context: a call made in one that is cancelled (the
        // comet gave up: the very reason for many undos) would be cancelled with it.
        Context.current().fork().run(() -> attempt(u));
        return u;
    }

    /** Undos waiting for a retry now. */
    public int pending() {
        return pending.get();
    }

    private void attempt(Undo u) {
        CompletableFuture<Boolean> call;
        try {
            call = store.undo(u.userId, u.loginId);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((has, error) -> {
            if (error == null) {
                settle(u);
                u.firstTry.complete(has);
                u.settled.complete(has);
            } else {
                failed(u, error);
            }
        });
    }

    private void failed(Undo u, Throwable error) {
        Status status = Status.fromThrowable(error);
        if (!transient_(status.getCode())) {
            giveUp(u, "the store refused it: " + status, status.getCode());
            return;
        }
        if (u.attempt >= retries) {
            giveUp(u, (retries == 0 ? "" : "after " + retries + " retries, ") + status, Status.Code.UNAVAILABLE);
            return;
        }
        if (!u.counted) {
            if (pending.incrementAndGet() > maxPending) {
                pending.decrementAndGet();
                giveUp(u, "logic.undo-retry.max-pending (" + maxPending + ") undos wait for a retry already; " + status,
                        Status.Code.UNAVAILABLE);
                return;
            }
            u.counted = true;
        }
        long delay = Math.min(MAX_BACKOFF_NANOS, backoffNanos << Math.min(u.attempt, 20));
        delay = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
        u.attempt++;
        meters.retries().increment();
        warnLog.warn("undo of login {} of user {} (comet {}) failed, retry {} of {} in {} ms: {}",
                Long.toHexString(u.loginId), u.userId, u.server, u.attempt, retries,
                TimeUnit.NANOSECONDS.toMillis(delay), status);
        u.retrying = true;
        u.firstTry.complete(false);
        try {
            timer.schedule(() -> attempt(u), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            giveUp(u, "logic is stopping; " + status, Status.Code.UNAVAILABLE);
        }
    }

    /** Whether a failure with {@code code} may pass (the store was slow or away), so a retry may succeed. */
    private static boolean transient_(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, RESOURCE_EXHAUSTED, ABORTED, UNKNOWN, INTERNAL -> true;
            default -> false;
        };
    }

    /** {@code code}: what the futures fail with (UNAVAILABLE when a later try might do). */
    private void giveUp(Undo u, String why, Status.Code code) {
        settle(u);
        meters.givenUp().increment();
        warnLog.warn("gave up undoing login {} of user {} (comet {}); its session, if stored, stays until the store"
                + " expires it: {}", Long.toHexString(u.loginId), u.userId, u.server, why);
        RuntimeException e = Status.fromCode(code).withDescription("undo of login " + Long.toHexString(u.loginId)
                + " failed: " + why).asRuntimeException();
        u.firstTry.completeExceptionally(e);
        u.settled.completeExceptionally(e);
    }

    private void settle(Undo u) {
        if (u.counted) {
            u.counted = false;
            pending.decrementAndGet();
        }
    }
}
