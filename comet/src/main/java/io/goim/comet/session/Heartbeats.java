package io.goim.comet.session;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The heartbeat deadlines of every event loop's sessions: one {@link HeartbeatDeadlines}
 * (one timer) per loop, made when the loop's first session starts.
 *
 * <p>Thread-safe; one instance per comet.
 */
public final class Heartbeats implements AutoCloseable {
    private final long timeoutNanos;
    private final Map<EventExecutor, HeartbeatDeadlines> byLoop = new ConcurrentHashMap<>();

    /** {@code timeout}: how long a session may go without a heartbeat. */
    public Heartbeats(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** How long a session may go without a heartbeat. */
    Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /** The heartbeat deadlines of {@code loop}'s sessions; call on that loop. */
    HeartbeatDeadlines of(EventExecutor loop) {
        HeartbeatDeadlines d = byLoop.get(loop);
        return d != null ? d : byLoop.computeIfAbsent(loop, l -> new HeartbeatDeadlines(l, timeoutNanos));
    }

    /** Stops the timers. */
    @Override
    public void close() {
        byLoop.values().forEach(HeartbeatDeadlines::close);
    }
}
