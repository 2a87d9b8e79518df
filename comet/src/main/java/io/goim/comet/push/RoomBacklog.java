package io.goim.comet.push;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The messages of one room (or the broadcasts) that one event loop still owes some of its
 * members, in order, and how far each connection bucket has got. A room round
 * ({@link LoopOutbox}) goes through the buckets one by one; a message that arrives while a
 * round is under way is written to the buckets still ahead in that round, and to those
 * already passed in the next:
 *
 * <pre>
 *   messages        m5   m6   m7   m8                 (m7, m8 arrived during the round)
 *   bucket 0..11    ─────────► next = 7               owed m7, m8: next round
 *   bucket 12..31   ───────────────────► next = 9     written everything
 *   m5, m6: written to every bucket, so finished (their calls may be answered)
 * </pre>
 *
 * What a bucket is owed is merged into one message, encoded once for every bucket owed
 * the same range. A connection stays in its bucket for its life, so it gets each message
 * once and in order.
 *
 * <p>Not thread-safe: confined to its loop.
 */
final class RoomBacklog {
    /** The room's key; null: every connection on the loop (broadcasts). */
    final String room;
    private final List<Delivery> items = new ArrayList<>();
    /** The sequence number of {@code items.get(0)}. */
    private long first;
    /** Per bucket: the sequence number of the first message its members have not been written. */
    private final long[] next;
    /** The range of the last message {@link #owed} made, [rangeFrom, rangeEnd); its merge, if it is several. */
    private long rangeFrom = -1;
    private long rangeEnd = -1;
    private PushMessage merged;

    RoomBacklog(String room, int buckets) {
        this.room = room;
        this.next = new long[buckets];
    }

    void add(Delivery d) {
        items.add(d);
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    private long end() {
        return first + items.size();
    }

    /** Whether the members of bucket {@code b} are owed a message. */
    boolean owes(int b) {
        return next[b] < end();
    }

    /**
     * What bucket {@code b} is owed, as one message: the message itself when it is one, else
     * the messages merged (made once per range, and held until {@link #finishWritten}). The
     * caller writes it and does not release it.
     */
    PushMessage owed(int b, Outboxes outboxes) {
        long from = next[b];
        long end = end();
        if (from != rangeFrom || end != rangeEnd) {
            releaseMerged();
            rangeFrom = from;
            rangeEnd = end;
            int count = (int) (end - from);
            if (count > 1) {
                List<PushMessage> parts = new ArrayList<>(count);
                for (long s = from; s < end; s++) {
                    parts.add(items.get((int) (s - first)).message);
                }
                merged = PushMessage.merge(ByteBufAllocator.DEFAULT, parts);
            }
            outboxes.merged(count);
        }
        return merged != null ? merged : items.get((int) (from - first)).message;
    }

    /** The members of bucket {@code b} were written what they were owed: {@code n} of them took it. */
    void written(int b, int n) {
        long end = end();
        if (n > 0) {
            for (long s = next[b]; s < end; s++) {
                items.get((int) (s - first)).delivered(n);
            }
        }
        next[b] = end;
    }

    /** Finishes, with {@code finish}, the messages written to every bucket, in order, and drops the merged message. */
    void finishWritten(Consumer<Delivery> finish) {
        releaseMerged();
        long done = Arrays.stream(next).min().orElse(end());
        int n = (int) (done - first);
        if (n <= 0) {
            return;
        }
        List<Delivery> written = items.subList(0, n);
        try {
            written.forEach(finish);
        } finally {
            written.clear();
            first = done;
        }
    }

    /** Finishes every message, written or not (the loop is stopping: its connections are closing). */
    void finishAll(Consumer<Delivery> finish) {
        releaseMerged();
        long end = end();
        try {
            items.forEach(finish);
        } finally {
            items.clear();
            first = end;
            Arrays.fill(next, end);
        }
    }

    private void releaseMerged() {
        if (merged != null) {
            merged.release();
            merged = null;
        }
        rangeFrom = -1;
        rangeEnd = -1;
    }
}
