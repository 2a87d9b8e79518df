package io.goim.libs.log;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval and says how many were suppressed in
 * between, so a flood of bad clients or a dead peer cannot flood the log. The counters
 * that go with the event are kept by the caller; this only guards the log line.
 *
 * <p>Thread-safe and lock-free.
 */
public final class RateLimitedLog {
    private final Logger logger;
    private final long intervalNanos;
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger logger, long interval, TimeUnit unit) {
        this.logger = logger;
        this.intervalNanos = unit.toNanos(interval);
    }

    /** Logs {@code format} at WARN unless a line was logged less than one interval ago. */
    public void warn(String format, Object... args) {
        long now = System.nanoTime();
        long next = nextAllowed.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        if (skipped > 0) {
            logger.warn(format + " (" + skipped + " similar lines suppressed)", args);
        } else {
            logger.warn(format, args);
        }
    }
}
