package io.goim.comet.session;

import io.goim.comet.push.LoopOutbox;
import io.netty.channel.EventLoop;
import java.util.Arrays;

/**
 * The members of one bucket that are in one room (goim's Room), kept as one doubly linked
 * list per event loop through {@link Member} nodes (a connection itself for its first room,
 * a {@link Membership} for each further one): join and leave are O(1), and the loop that
 * delivers a room message walks only its own members ({@link LoopOutbox}). A connection
 * has at most one node in a room, so a room message reaches it once.
 *
 * <pre>
 *   room "7": loop 0 ─► c1 ⇄ c5 ⇄ m(c9)
 *             loop 1 ─► c2 ⇄ c6
 * </pre>
 *
 * <p>Thread-safe: one lock per room. A room is created and dropped by its
 * {@link ConnectionBucket} under the bucket's lock, which always locks before the room's.
 */
public final class Room {
    /** The room's key (see libs' RoomKeys); the one copy its members share. */
    public final String key;
    /** The event loops this room has had members on, and the head of each loop's list; a comet has a handful. */
    private EventLoop[] loops = new EventLoop[2];
    private Member[] heads = new Member[2];
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

    /** Links {@code m} at the head of its loop's list. {@code m} must not be in a room. */
    synchronized void join(Member m) {
        if (m.room != null) {
            throw new IllegalStateException(m.connection() + " already in room " + m.room.key + " by this node");
        }
        int s = slot(m.connection().channel.eventLoop(), true);
        m.room = this;
        m.prev = null;
        m.next = heads[s];
        if (heads[s] != null) {
            heads[s].prev = m;
        }
        heads[s] = m;
        online++;
    }

    /** Unlinks {@code m} if it is in this room; false if it was not (already left or replaced). */
    synchronized boolean leave(Member m) {
        if (m.room != this) {
            return false;
        }
        if (m.prev != null) {
            m.prev.next = m.next;
        } else {
            heads[slot(m.connection().channel.eventLoop(), false)] = m.next;
        }
        if (m.next != null) {
            m.next.prev = m.prev;
        }
        m.room = null;
        m.prev = null;
        m.next = null;
        online--;
        return true;
    }

    public synchronized int online() {
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
        for (Member m = heads[s]; m != null; m = m.next) {
            into.add(m.connection());
        }
    }
}
