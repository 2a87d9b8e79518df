package io.goim.libs.lifecycle;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Counts units of work begun and not yet finished (requests being answered, calls
 * awaiting a reply), so a shutdown step can wait, with a bound, until they are done.
 *
 * <p>Thread-safe; {@link #begin} and {@link #end} never block.
 */
public final class InFlight {
    private int count;

    /** One more unit of work started. */
    public synchronized void begin() {
        count++;
    }

    /** One unit of work finished (answered, acknowledged or given up). */
    public synchronized void end() {
        if (--count == 0) {
            notifyAll();
        }
    }

    /** Units started and not finished. */
    public synchronized int count() {
        return count;
    }

    /** Waits until nothing is in flight, at most {@code timeout}; true if nothing is. */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
