package io.goim.client.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection's requests awaiting their reply, by seq: each completes with the reply's
 * body when a packet of its reply op and seq arrives, fails when no reply came within its
 * timeout, and every one left fails when the connection closes, so none is left hanging.
 *
 * <p>Confined to the connection's event loop; bounded by {@code max} requests.
 */
final class Requests {
    private record Pending(CompletableFuture<byte[]> reply, int replyOp, ScheduledFuture<?> timer) {
    }

    private final Map<Integer, Pending> pending = new HashMap<>();
    private final int max;
    private Throwable closed;

    Requests(int max) {
        this.max = max;
    }

    /** Registers the request {@code seq}, answered by {@code replyOp}; fails at once when closed or full. */
    CompletableFuture<byte[]> add(int seq, int op, int replyOp, EventExecutor loop, long timeoutNanos) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        if (closed != null) {
            reply.completeExceptionally(closed);
            return reply;
        }
        if (pending.size() >= max) {
            reply.completeExceptionally(new IllegalStateException(
                    max + " requests already await their reply on this connection"));
            return reply;
        }
        ScheduledFuture<?> timer = loop.schedule(() -> {
            if (pending.remove(seq) != null) {
                reply.completeExceptionally(new TimeoutException("no reply to op " + op + " (seq " + seq + ") within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        pending.put(seq, new Pending(reply, replyOp, timer));
        return reply;
    }

    /** Completes the request this packet answers; false when it answers none (a push, or a reply too late). */
    boolean complete(int op, int seq, byte[] body) {
        Pending p = pending.get(seq);
        if (p == null || p.replyOp != op) {
            return false;
        }
        pending.remove(seq);
        p.timer.cancel(false);
        p.reply.complete(body);
        return true;
    }

    /** Fails every request left, and every later one. */
    void closeAll(Throwable cause) {
        closed = cause;
        List<Pending> left = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending p : left) {
            p.timer.cancel(false);
            p.reply.completeExceptionally(cause);
        }
    }
}
