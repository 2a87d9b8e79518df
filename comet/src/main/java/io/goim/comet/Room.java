package io.goim.comet;

import java.util.function.Consumer;

/**
 * The connections of one bucket that are in one room, as a doubly linked list through
 * the {@link Connection}s themselves (goim's Room): join and leave are O(1) and take
 * no allocation.
 *
 * <p>Thread-safe: one lock per room. A room is created and dropped by its
 * {@link Bucket} under the bucket's lock, which always locks before the room's.
 */
final class Room {
    final int id;
    private Connection head;
    private int online;

    Room(int id) {
        this.id = id;
    }

    /** Links {@code c} at the head. {@code c} must not be in a room. */
    synchronized void join(Connection c) {
        if (c.room != null) {
            throw new IllegalStateException(c + " already in room " + c.room.id);
        }
        c.room = this;
        c.prev = null;
        c.next = head;
        if (head != null) {
            head.prev = c;
        }
        head = c;
        online++;
    }

    /** Unlinks {@code c} if it is in this room; false if it was not (already left or replaced). */
    synchronized boolean leave(Connection c) {
        if (c.room != this) {
            return false;
        }
        if (c.prev != null) {
            c.prev.next = c.next;
        } else {
            head = c.next;
        }
        if (c.next != null) {
            c.next.prev = c.prev;
        }
        c.room = null;
        c.prev = null;
        c.next = null;
        online--;
        return true;
    }

    synchronized int online() {
        return online;
    }

    /**
     * Runs {@code action} on every connection, under the room's lock. The action must be
     * short and must not block: it only adds the connection to its event loop's chunk
     * ({@link LoopFanOut}; a full chunk is an offer to that loop's queue). Walking the
     * list in place, as goim does, needs no copy of the room; the price is that a join or
     * leave in the same room waits for the walk.
     */
    synchronized void forEach(Consumer<Connection> action) {
        for (Connection c = head; c != null; c = c.next) {
            action.accept(c);
        }
    }
}
