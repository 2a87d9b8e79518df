package io.goim.comet.push;

import io.goim.comet.session.Connection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * One push waiting in a {@link LoopOutbox}: a message for one connection (its key), for
 * the members of a room on that loop, for every connection on that loop, or for a few
 * connections on that loop (a step of a paced broadcast, {@link PacedBroadcasts}). It holds a
 * reference to its message until {@link #finish}.
 *
 * <p>Thread-safe hand-off: made by the offering thread, then used only by the loop.
 */
final class Delivery {
    enum Kind { KEY, ROOM, ALL, SOME }

    final Kind kind;
    /** ROOM: the room's key. */
    final String room;
    final Connection connection;
    /** SOME: the connections, all on the delivery's loop. */
    final List<Connection> connections;
    final PushMessage message;
    /**
     * When a room or broadcast delivery was made ({@link System#nanoTime}): its wait in the
     * loop's queue is measured from here. 0 for the other kinds, whose wait is not measured.
     */
    final long offeredNanos;
    private final Push push;

    private Delivery(Kind kind, String room, Connection connection, PushMessage message, Push push) {
        this(kind, room, connection, null, message, push);
    }

    private Delivery(Kind kind, String room, Connection connection, List<Connection> connections, PushMessage message,
            Push push) {
        this.kind = kind;
        this.room = room;
        this.connection = connection;
        this.connections = connections;
        this.message = message;
        this.push = push;
        this.offeredNanos = kind == Kind.ROOM || kind == Kind.ALL ? System.nanoTime() : 0;
        push.parts.incrementAndGet();
    }

    /** {@code message} for {@code c}; retains it. */
    static Delivery toKey(Connection c, PushMessage message, Push push) {
        return new Delivery(Kind.KEY, null, c, message.retain(), push);
    }

    /** {@code message} for room {@code room}; retains it. */
    static Delivery toRoom(String room, PushMessage message, Push push) {
        return new Delivery(Kind.ROOM, room, null, message.retain(), push);
    }

    /** {@code message} for every connection; retains it. */
    static Delivery toAll(PushMessage message, Push push) {
        return new Delivery(Kind.ALL, null, null, message.retain(), push);
    }

    /** {@code message} for {@code connections}, all on the loop it is offered to (a paced broadcast's step); retains it. */
    static Delivery toSome(List<Connection> connections, PushMessage message, Push push) {
        return new Delivery(Kind.SOME, null, null, connections, message.retain(), push);
    }

    /** {@code n} more connections had the message queued on their channel. */
    void delivered(int n) {
        push.delivered.addAndGet(n);
    }

    /** Written (or skipped): releases the message and its place in the comet's budget. */
    void finish(Outboxes outboxes) {
        outboxes.released(message.size());
        message.release();
        push.partDone();
    }

    /**
     * One push call's deliveries, spread over loops: {@code onDone} runs once, with the
     * number of connections written to, when the caller has {@link #submitted()} and every
     * delivery has finished.
     */
    static final class Push {
        private final AtomicInteger parts = new AtomicInteger(1); // the submitter's own part
        private final AtomicInteger delivered = new AtomicInteger();
        private final IntConsumer onDone;

        Push(IntConsumer onDone) {
            this.onDone = onDone;
        }

        /** Every delivery of this push has been offered. */
        void submitted() {
            partDone();
        }

        private void partDone() {
            if (parts.decrementAndGet() == 0) {
                onDone.accept(delivered.get());
            }
        }
    }
}
