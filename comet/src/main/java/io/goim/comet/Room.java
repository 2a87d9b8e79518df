package io.goim.comet;

import io.netty.channel.EventLoop;
import java.util.Arrays;

/**
 * The connections of one bucket that are in one room (goim's Room), kept as one doubly
 * linked list per event loop through the {@link Connection}s themselves: join and leave
 * are O(1) and take no allocation, and the loop that delivers a room message walks only
 * its own members ({@link LoopOutbox}).
 *
 * <pre>
 *   room "7": loop 0 ─► c1 ⇄ c5 ⇄ c9
 *             loop 1 ─► c2 ⇄ c6
 * </pre>
 *
 * <p>Thread-safe: one lock per room. A room is created and dropped by its
 * {@link Bucket} under the bucket's lock, which always locks before the room's.
 */
final class Room {
    /** The room's key (see libs' RoomKeys); the one copy its members share. */
    final String key;
    /** The event loops this room has had members on, and the head of each loop's list; a comet has a handful. */
    private EventLoop[] loops = new EventLoop[2];
    private Connection[] heads = new Connection[2];
    private int nLoops;
    private int online;

    Room(String key) {
        this.key = key;
    }

    private int slot(EventLoop loop, boolean create) {
        for (int i = 0; i < nLoops; i++) {
            if (loops[i] == loop) {
                return i;
            }
        }
        if (!create) {
            return -1;
        }
        if (nLoops == loops.length) {
            loops = Arrays.copyOf(loops, nLoops * 2);
            heads = Arrays.copyOf(heads, nLoops * 2);
        }
        loops[nLoops] = loop;
        return nLoops++;
    }

    /** Links {@code c} at the head of its loop's list. {@code c} must not be in a room. */
    synchronized void join(Connection c) {
        if (c.room != null) {
            throw new IllegalStateException(c + " already in room " + c.room.key);
        }
        int s = slot(c.channel.eventLoop(), true);
        c.room = this;
        c.prev = null;
        c.next = heads[s];
        if (heads[s] != null) {
            heads[s].prev = c;
        }
        heads[s] = c;
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
            heads[slot(c.channel.eventLoop(), false)] = c.next;
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
     * Adds this room's members on {@code loop} to {@code into}. Copying the references
     * (a few nanoseconds each) keeps the lock short: the writes happen after it is
     * released, so a join or leave in the room never waits for sockets.
     */
    synchronized void collect(EventLoop loop, Members into) {
        int s = slot(loop, false);
        if (s < 0) {
            return;
        }
        for (Connection c = heads[s]; c != null; c = c.next) {
            into.add(c);
        }
    }
}
