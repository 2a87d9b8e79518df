package io.goim.router.session;

import java.util.function.Consumer;

/**
 * goim's cleaner list: a shard's connections in order of their last Put or Touch,
 * oldest first, as an intrusive doubly linked list through {@link Conn#prev} and
 * {@link Conn#next}. Because touch times only grow, the expired connections are always
 * a prefix of the list, so expiring walks only what it removes.
 *
 * <pre>
 *  head (oldest) ⇄ conn ⇄ conn ⇄ ... ⇄ tail (newest)
 * </pre>
 *
 * <p>Not thread-safe: guarded by its {@link SessionShard}'s lock.
 */
final class ConnLru {
    private Conn head;
    private Conn tail;
    private int size;

    /** Appends {@code c} as the newest, stamped {@code now}. */
    void add(Conn c, long now) {
        c.touchedNanos = now;
        c.prev = tail;
        c.next = null;
        if (tail == null) {
            head = c;
        } else {
            tail.next = c;
        }
        tail = c;
        size++;
    }

    /** Moves {@code c} to the newest end, stamped {@code now}. */
    void touch(Conn c, long now) {
        unlink(c);
        add(c, now);
    }

    void unlink(Conn c) {
        if (c.prev == null) {
            head = c.next;
        } else {
            c.prev.next = c.next;
        }
        if (c.next == null) {
            tail = c.prev;
        } else {
            c.next.prev = c.prev;
        }
        c.prev = null;
        c.next = null;
        size--;
    }

    /** How many connections are linked. */
    int size() {
        return size;
    }

    /**
     * Unlinks every connection touched at or before {@code deadline} and hands each to
     * {@code expired}; returns how many.
     */
    int expire(long deadline, Consumer<Conn> expired) {
        int n = 0;
        while (head != null && head.touchedNanos - deadline <= 0) {
            Conn c = head;
            unlink(c);
            expired.accept(c);
            n++;
        }
        return n;
    }
}
