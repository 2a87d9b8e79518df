package io.goim.comet;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One bucket's delivery threads (goim's room routines): room and broadcast messages are
 * handed to them round robin, so neither a gRPC thread nor an event loop walks a room.
 * Each worker has a bounded queue (goim's routine size); a full queue refuses the task
 * and the caller counts the drop.
 *
 * <p>Thread-safe.
 */
final class RoomWorkers implements AutoCloseable {
    private final ThreadPoolExecutor[] workers;
    private final AtomicInteger next = new AtomicInteger();

    RoomWorkers(String name, int threads, int queue) {
        workers = new ThreadPoolExecutor[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue),
                    new DefaultThreadFactory(name + "-" + i, true), new ThreadPoolExecutor.AbortPolicy());
        }
    }

    /** Queues {@code task} on the next worker; false when that worker's queue is full or it stopped. */
    boolean submit(Runnable task) {
        ThreadPoolExecutor w = workers[Math.floorMod(next.getAndIncrement(), workers.length)];
        try {
            w.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Stops taking tasks and waits up to {@code millis} for the queued ones. */
    void close(long millis) throws InterruptedException {
        for (ThreadPoolExecutor w : workers) {
            w.shutdown();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (ThreadPoolExecutor w : workers) {
            w.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        close(5_000);
    }
}
