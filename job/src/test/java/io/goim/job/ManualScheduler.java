package io.goim.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A {@link Scheduler} driven by the test: tasks run when {@link #advance} passes their time. Thread-safe. */
public final class ManualScheduler implements Scheduler {
    private record Task(long due, Runnable run) {
    }

    private final List<Task> tasks = new ArrayList<>();
    private long now;

    @Override
    public synchronized void schedule(Duration delay, Runnable task) {
        tasks.add(new Task(now + delay.toNanos(), task));
    }

    /** Moves time forward and runs, outside the lock, every task that became due. */
    public void advance(Duration by) {
        List<Runnable> due = new ArrayList<>();
        synchronized (this) {
            now += by.toNanos();
            tasks.removeIf(t -> {
                if (t.due() <= now) {
                    due.add(t.run());
                    return true;
                }
                return false;
            });
        }
        due.forEach(Runnable::run);
    }

    public synchronized int pending() {
        return tasks.size();
    }
}
