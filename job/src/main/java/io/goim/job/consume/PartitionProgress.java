package io.goim.job.consume;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The records of one partition that were dispatched and not yet committed, in offset
 * order. The committable offset is one past the last record of the longest prefix that
 * is handed on (its future done): a record still in flight holds back the commit of
 * every record after it, even of those already handed on, so a crash redelivers it.
 *
 * <pre>
 *  offsets   41   42   43   44   45
 *  handed    yes  yes  no   yes  no      →  commit 43 (next record to read)
 * </pre>
 *
 * <p>Confined to the consumer thread.
 */
final class PartitionProgress {
    private record Entry(long offset, CompletableFuture<?> handed) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long committable = -1;
    private long lastReturned = -1;

    void track(long offset, CompletableFuture<?> handed) {
        entries.add(new Entry(offset, handed));
    }

    /** Drops the handed prefix, moving the committable offset past it. */
    private void advance() {
        while (!entries.isEmpty() && entries.peek().handed().isDone()) {
            committable = entries.poll().offset() + 1;
        }
    }

    /**
     * The offset to commit now: the committable offset if it moved since the last one
     * returned here, else -1. The caller commits it (a failed commit is not retried: a
     * later one carries a later offset).
     */
    long nextCommit() {
        advance();
        if (committable == lastReturned) {
            return -1;
        }
        lastReturned = committable;
        return committable;
    }

    /** The offset to commit after {@link #await}; -1 before any record was handed on. */
    long committable() {
        return committable;
    }

    /** Records dispatched and not yet part of the handed prefix. */
    int inFlight() {
        advance();
        return entries.size();
    }

    /** Waits until every tracked record is handed on or {@code nanos} pass; returns the records still in flight. */
    int await(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        for (Entry e : entries) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                e.handed().get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException ignored) {
                break; // futures never fail; a timeout means the grace is over
            }
        }
        advance();
        return entries.size();
    }
}
