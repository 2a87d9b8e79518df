package io.goim.router;

import java.util.HashMap;
import java.util.Map;

/**
 * One user's connections: sequence number to (comet server, room). The sequence
 * generator hands out 1, 2, 3, ... and skips numbers still in use after it wraps.
 *
 * <p>Not thread-safe: guarded by its {@link Bucket}'s lock.
 */
final class Session {
    /** Where one connection lives. */
    record Conn(int server, int room) {
    }

    private int lastSeq;
    private final Map<Integer, Conn> conns = new HashMap<>(4);

    /** Registers a connection and returns its new sequence number. */
    int put(int server, int room) {
        int seq;
        do {
            seq = lastSeq == Integer.MAX_VALUE ? 1 : lastSeq + 1;
            lastSeq = seq;
        } while (conns.containsKey(seq));
        conns.put(seq, new Conn(server, room));
        return seq;
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
