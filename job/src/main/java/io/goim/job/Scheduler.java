package io.goim.job;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay. Production uses one shared timer thread
 * ({@link #of(ScheduledExecutorService)}); tests pass a manual clock so batching and
 * backoff are tested without sleeping. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Scheduler {
    void schedule(Duration delay, Runnable task);

    static Scheduler of(ScheduledExecutorService timer) {
        return (delay, task) -> {
            try {
                timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                task.run(); // stopping: run it now so no waiter is left hanging
            }
        };
    }
}
