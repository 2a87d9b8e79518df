package io.goim.comet.session;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The heartbeat deadlines of the sessions of one event loop, with one timer for all of
 * them instead of one scheduled task per connection (64 bytes, plus a 24-byte lambda,
 * created again on every heartbeat).
 *
 * <p>Every session's deadline is "last heartbeat + heartbeat-timeout", and the timeout is
 * the same for all, so arming a session always puts it last in deadline order: the
 * sessions form a list sorted by deadline (linked through {@link SessionHandler}'s own
 * fields), arming moves one to the tail, and the loop's timer fires at the head's
 * deadline, closing each session whose deadline has come. Deadlines are exact, as with
 * a task per connection.
 *
 * <p>Time is the loop's own clock (virtual time on an embedded test loop), read through an
 * anchor task scheduled far in the future: its remaining delay falls as the loop's clock
 * advances.
 *
 * <p>Confined to its event loop.
 */
final class HeartbeatDeadlines implements Runnable {
    /** ~73 years: the anchor never runs, and a loop's clock reading never overflows. */
    private static final long ANCHOR_NANOS = Long.MAX_VALUE / 4;

    private final EventExecutor loop;
    private final long timeoutNanos;
    private final ScheduledFuture<?> anchor;
    private SessionHandler head;
    private SessionHandler tail;
    private ScheduledFuture<?> timer;

    HeartbeatDeadlines(EventExecutor loop, long timeoutNanos) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.anchor = loop.schedule(() -> { }, ANCHOR_NANOS, TimeUnit.NANOSECONDS);
    }

    /** Nanoseconds on the loop's clock since this was created. */
    private long now() {
        return ANCHOR_NANOS - anchor.getDelay(TimeUnit.NANOSECONDS);
    }

    /** (Re)starts {@code s}'s timeout from now. */
    void arm(SessionHandler s) {
        unlink(s);
        s.deadline = now() + timeoutNanos;
        s.prev = tail;
        if (tail == null) {
            head = s;
        } else {
            tail.next = s;
        }
        tail = s;
        s.armed = true;
        if (timer == null) {
            schedule(s.deadline);
        }
    }

    /** Stops {@code s}'s timeout (its connection closed). */
    void disarm(SessionHandler s) {
        unlink(s);
    }

    private void unlink(SessionHandler s) {
        if (!s.armed) {
            return;
        }
        if (s.prev == null) {
            head = s.next;
        } else {
            s.prev.next = s.next;
        }
        if (s.next == null) {
            tail = s.prev;
        } else {
            s.next.prev = s.prev;
        }
        s.prev = null;
        s.next = null;
        s.armed = false;
    }

    private void schedule(long at) {
        timer = loop.schedule(this, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
    }

    /** The timer: closes every session whose deadline has come, then waits for the next one. */
    @Override
    public void run() {
        timer = null;
        long now = now();
        while (head != null && head.deadline <= now) {
            SessionHandler s = head;
            unlink(s);
            s.heartbeatMissed();
        }
        if (head != null) {
            schedule(head.deadline);
        }
    }

    /** Stops the anchor and the timer (the comet is stopping, or a test loop is done). */
    void close() {
        anchor.cancel(false);
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
