package io.goim.comet;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many {@link LoopFanOut} chunks each event loop has queued and not yet run, with a
 * cap: Netty's loop queues are unbounded, so this is what keeps room deliveries from
 * piling up on a loop that cannot keep up (the excess is dropped and counted instead).
 *
 * <p>Thread-safe; shared by all buckets of a comet.
 */
final class LoopBacklog {
    private final int limit;
    private final ConcurrentMap<EventLoop, AtomicInteger> queued = new ConcurrentHashMap<>();

    LoopBacklog(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    int limit() {
        return limit;
    }

    /** Counts one more chunk queued on {@code loop}; false, counting nothing, when it already has {@link #limit()}. */
    boolean tryAcquire(EventLoop loop) {
        AtomicInteger n = queued.computeIfAbsent(loop, l -> new AtomicInteger());
        if (n.incrementAndGet() > limit) {
            n.decrementAndGet();
            return false;
        }
        return true;
    }

    /** A chunk queued on {@code loop} has run (or was refused by the loop). */
    void release(EventLoop loop) {
        queued.get(loop).decrementAndGet();
    }

    /** Chunks queued on {@code loop} now. */
    int queued(EventLoop loop) {
        AtomicInteger n = queued.get(loop);
        return n == null ? 0 : n.get();
    }
}
