package io.goim.job.consume;

import io.goim.libs.admin.Readiness;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps job's consumer loop running. The loop ({@link PushConsumer}) runs on this
 * supervisor's thread; when it ends with an unexpected exception, the failure is logged
 * and counted ({@code goim_job_consumer_restarts_total}) and, after a backoff, a new loop
 * with a new Kafka consumer joins the group again. Records the failed loop had not handed
 * on were not committed, so they are read again: at-least-once, as after a crash.
 *
 * <p>Restart rather than exit: the process keeps its comet channels and room batchers,
 * and a failure that clears (a broker hiccup, one bad turn) costs one backoff instead of a
 * process restart. A failure that repeats keeps the loop restarting with a growing backoff,
 * visible on {@code /ready} (503 while the loop is down), in the counter and in the log.
 *
 * <p>Readiness: ready while a loop runs and its last rebalance completed, owning at least
 * one partition or none because the group has more jobs than the topic has partitions (an
 * idle job is a healthy standby: it takes over partitions when another job leaves, and
 * calling it unready would only get it restarted for nothing). Not ready before the first
 * assignment, during a rebalance, and while a failed loop waits to restart.
 *
 * <p>Thread-safe.
 */
public final class ConsumerSupervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerSupervisor.class);

    /** The wait before restarting a failed loop: {@code backoff}, doubling per consecutive failure up to {@code maxBackoff}. */
    public record Backoff(Duration backoff, Duration maxBackoff) {
        Duration after(int failures) {
            long millis = backoff.toMillis() << Math.min(20, Math.max(0, failures - 1));
            return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
        }
    }

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final Function<Consumer<byte[], byte[]>, PushConsumer> loops;
    private final Backoff backoff;
    private final Counter restarts;
    private final Thread thread;
    private final Object lock = new Object();
    private PushConsumer current; // guarded by lock
    private boolean stopping; // guarded by lock
    private boolean halt; // guarded by lock
    private volatile String down = "kafka consumer starting";

    public ConsumerSupervisor(Supplier<Consumer<byte[], byte[]>> consumers,
            Function<Consumer<byte[], byte[]>, PushConsumer> loops, Backoff backoff, Counter restarts) {
        this.consumers = consumers;
        this.loops = loops;
        this.backoff = backoff;
        this.restarts = restarts;
        this.thread = new Thread(this::supervise, "job-consumer");
    }

    public void start() {
        thread.start();
    }

    private void supervise() {
        int failures = 0;
        while (true) {
            PushConsumer loop;
            synchronized (lock) {
                if (stopping) {
                    return;
                }
                try {
                    loop = loops.apply(consumers.get());
                } catch (RuntimeException e) { // e.g. a bad bootstrap address: as a failed loop
                    loop = null;
                    down = "kafka consumer could not be created: " + e;
                    log.error("creating the Kafka consumer failed", e);
                }
                current = loop;
            }
            long started = System.nanoTime();
            if (loop != null) {
                down = null;
                try {
                    loop.run();
                    return; // stopped on request
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException | Error e) {
                    down = "kafka consumer failed, restarting: " + e;
                    log.error("consumer loop failed; restarting it with a new consumer", e);
                }
            }
            // a loop that ran longer than the longest backoff was healthy: start the backoff over
            failures = Duration.ofNanos(System.nanoTime() - started).compareTo(backoff.maxBackoff()) > 0 ? 1 : failures + 1;
            Duration wait = backoff.after(failures);
            synchronized (lock) {
                current = null;
                long deadline = System.nanoTime() + wait.toNanos();
                long left;
                while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
            }
            restarts.increment();
            log.warn("restarting the consumer loop (failure {} in a row, waited {} ms)", failures, wait.toMillis());
        }
    }

    /** See the class comment. */
    public Readiness readiness() {
        String why = down;
        if (why != null) {
            return Readiness.notReady(why);
        }
        int owned = ownedPartitions();
        if (owned < 0) {
            return Readiness.notReady("kafka consumer: waiting for a partition assignment (joining or rebalancing)");
        }
        return new Readiness(true, owned > 0 ? "consuming " + owned + " partition(s)"
                : "in the group with no partition: more jobs than partitions");
    }

    /** What the running loop owns ({@link PushConsumer#ownedPartitions}); -1 when no loop runs. */
    public int ownedPartitions() {
        PushConsumer loop;
        synchronized (lock) {
            loop = current;
        }
        return loop == null || down != null ? -1 : loop.ownedPartitions();
    }

    /** Stops the loop and waits for it: drains and commits what was handed on. */
    @Override
    public void close() throws InterruptedException {
        stop(false);
    }

    /** Stops the loop without committing anything more, as a crash would. */
    public void halt() throws InterruptedException {
        stop(true);
    }

    private void stop(boolean crash) throws InterruptedException {
        synchronized (lock) {
            halt |= crash;
            stopping = true;
            if (current != null) {
                current.stop(halt);
            }
            lock.notifyAll();
        }
        if (thread.isAlive() && thread != Thread.currentThread()) {
            thread.join();
        }
        down = "kafka consumer stopped";
    }
}
