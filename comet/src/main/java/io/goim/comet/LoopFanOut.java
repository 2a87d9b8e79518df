package io.goim.comet;

import io.goim.libs.log.RateLimitedLog;
import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.LoggerFactory;

/**
 * Delivers one {@link PushMessage} to many connections from their own event loops: the
 * connections are grouped by event loop in chunks of at most {@link #CHUNK}, and each
 * chunk becomes one task on its loop that writes and flushes to each of its channels.
 * A write made on the channel's own loop skips Netty's cross-thread hand-off (a
 * {@code WriteTask} per channel, its recycling and pending-bytes bookkeeping), and a
 * room message wakes each loop once per chunk instead of once per member.
 *
 * <pre>
 *   room worker:  walk room ──► [loop 0: c1 c5 c9 …] ──execute──► loop 0: writeTo(c1), writeTo(c5), …
 *                           └─► [loop 1: c2 c6 …]    ──execute──► loop 1: writeTo(c2), …
 * </pre>
 *
 * A chunk is dropped, and its pushes counted in {@link CometCounters#pushesDropped},
 * when its loop already has {@link LoopBacklog#limit()} chunks queued (a loop that
 * cannot keep up must not grow its queue without bound), or when the loop is shutting
 * down. Whether a connection is still open and writable is checked on its loop, at write
 * time, by {@link PushMessage#writeTo}.
 *
 * <p>Use: one instance per message and walk, fed by one thread ({@link #accept}), then
 * {@link #finish()} once. The chunk tasks run concurrently on their loops; the message
 * is retained for each and released when it ends.
 */
final class LoopFanOut implements Consumer<Connection> {
    private static final RateLimitedLog DROP_LOG =
            new RateLimitedLog(LoggerFactory.getLogger(LoopFanOut.class), 10, TimeUnit.SECONDS);
    /** Connections per event-loop task: bounds how long one task holds its loop. */
    static final int CHUNK = 256;

    private final PushMessage msg;
    private final CometCounters counters;
    private final Whitelist whitelist;
    private final LoopBacklog backlog;
    private final IntConsumer onDone;
    /** The walk itself plus every chunk not yet finished; onDone runs when it reaches 0. */
    private final AtomicInteger pending = new AtomicInteger(1);
    private final AtomicInteger written = new AtomicInteger();
    // Per-loop chunks being filled; a comet has a handful of loops, so a linear scan by identity.
    private EventLoop[] loops = new EventLoop[4];
    private Connection[][] chunks = new Connection[4][];
    private int[] sizes = new int[4];
    private int nLoops;

    /**
     * @param onDone called once, with the number of connections written to, when the walk
     *     has finished and every chunk has run or been dropped; may be null
     */
    LoopFanOut(PushMessage msg, CometCounters counters, Whitelist whitelist, LoopBacklog backlog, IntConsumer onDone) {
        this.msg = msg;
        this.counters = counters;
        this.whitelist = whitelist;
        this.backlog = backlog;
        this.onDone = onDone;
    }

    /** Adds {@code c} to its loop's chunk, handing the chunk to the loop when it is full. */
    @Override
    public void accept(Connection c) {
        EventLoop loop = c.channel.eventLoop();
        int i = 0;
        while (i < nLoops && loops[i] != loop) {
            i++;
        }
        if (i == nLoops) {
            if (nLoops == loops.length) {
                loops = Arrays.copyOf(loops, nLoops * 2);
                chunks = Arrays.copyOf(chunks, nLoops * 2);
                sizes = Arrays.copyOf(sizes, nLoops * 2);
            }
            loops[i] = loop;
            nLoops++;
        }
        if (chunks[i] == null) {
            chunks[i] = new Connection[CHUNK];
        }
        chunks[i][sizes[i]++] = c;
        if (sizes[i] == CHUNK) {
            dispatch(loop, chunks[i], CHUNK);
            chunks[i] = null;
            sizes[i] = 0;
        }
    }

    /** Hands the partly filled chunks to their loops; ends the walk. */
    void finish() {
        for (int i = 0; i < nLoops; i++) {
            if (sizes[i] > 0) {
                dispatch(loops[i], chunks[i], sizes[i]);
                chunks[i] = null;
                sizes[i] = 0;
            }
        }
        done();
    }

    private void dispatch(EventLoop loop, Connection[] chunk, int size) {
        pending.incrementAndGet();
        if (loop.inEventLoop()) { // already there (an embedded channel in tests, or a walk run by the loop)
            write(chunk, size);
            done();
            return;
        }
        if (!backlog.tryAcquire(loop)) {
            drop(size);
            return;
        }
        msg.retain();
        try {
            loop.execute(() -> {
                try {
                    write(chunk, size);
                } finally {
                    backlog.release(loop);
                    msg.release();
                    done();
                }
            });
        } catch (RejectedExecutionException e) { // the loop is shutting down: its channels are closing
            backlog.release(loop);
            msg.release();
            drop(size);
        }
    }

    private void write(Connection[] chunk, int size) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (msg.writeTo(chunk[i], counters, whitelist)) {
                n++;
            }
        }
        written.addAndGet(n);
    }

    private void drop(int size) {
        counters.pushesDropped.add(size);
        DROP_LOG.warn("push dropped for {} connection(s): their event loop has {} chunks queued or is stopping",
                size, backlog.limit());
        done();
    }

    private void done() {
        if (pending.decrementAndGet() == 0 && onDone != null) {
            onDone.accept(written.get());
        }
    }
}
