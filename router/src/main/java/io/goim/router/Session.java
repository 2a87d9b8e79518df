package io.goim.router;

import java.util.HashMap;
import java.util.Map;

/**
 * One user's connections: sequence number to {@link Conn} (comet server, room). The
 * sequence generator hands out 1, 2, 3, ... and skips numbers still in use after it
 * wraps.
 *
 * <p>Not thread-safe: guarded by its {@link Bucket}'s lock.
 */
final class Session {
    private final long userId;
    private int lastSeq;
    private final Map<Integer, Conn> conns = new HashMap<>(4);

    Session(long userId) {
        this.userId = userId;
    }

    /** Registers a connection under the next free sequence number. */
    Conn put(int server, String rooms, String key) {
        int seq;
        do {
            seq = lastSeq == Integer.MAX_VALUE ? 1 : lastSeq + 1;
            lastSeq = seq;
        } while (conns.containsKey(seq));
        return putAt(seq, server, rooms, key);
    }

    /**
     * Registers a connection under a sequence number a comet already holds (relearning
     * after a router restart or an expiry). The caller has checked that {@code seq} is
     * free. {@code key}: the key the client chose, or null/empty. Later {@link #put}s continue after it, so they do not hand it out again.
     */
    Conn putAt(int seq, int server, String rooms, String key) {
        Conn c = key == null || key.isEmpty() ? new Conn(userId, seq, server, rooms)
                : new KeyedConn(userId, seq, server, rooms, key);
        conns.put(seq, c);
        if (seq > lastSeq) {
            lastSeq = seq;
        }
        return c;
    }

    Conn get(int seq) {
        return conns.get(seq);
    }

    /** Removes a connection; null when unknown. */
    Conn remove(int seq) {
        return conns.remove(seq);
    }

    Map<Integer, Conn> conns() {
        return conns;
    }

    boolean isEmpty() {
        return conns.isEmpty();
    }

    int size() {
        return conns.size();
    }
}
