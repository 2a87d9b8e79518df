package io.goim.comet.session;

import io.goim.comet.push.LoopOutbox;
import java.util.Arrays;

/**
 * What a goim v2 login adds to a {@link Connection}: the operations it accepts (goim v2's
 * watch set: a push of any other operation is not written to it; ops 14 and 16 change the
 * set) and, when its client chose its key, the session that names it in the store. A v1
 * connection has none (its field is null) and accepts every operation, so the push path
 * costs it nothing.
 *
 * <p>A v2 connection that accepts nothing receives no push, as goim v2's empty watch set.
 *
 * <p>The accepted set is confined to the connection's event loop: ops 14/16 are read there,
 * and every push is written there ({@link LoopOutbox}).
 */
public final class V2State {
    /** Most operations one connection may accept. */
    static final int MAX_ACCEPTS = 64;

    /** The connection's subKey when the client chose its key; null when its key is the subKey. */
    final String session;
    /** Sorted, distinct; replaced, never changed in place. */
    private int[] accepts;

    public V2State(String session, int[] accepts) {
        this.session = session;
        this.accepts = normalized(accepts);
    }

    public boolean accepts(int op) {
        return Arrays.binarySearch(accepts, op) >= 0;
    }

    /** goim's Watch: adds {@code ops}, up to {@link #MAX_ACCEPTS} in all; false when the cap refused some. */
    boolean watch(int[] ops) {
        int[] merged = Arrays.copyOf(accepts, accepts.length + ops.length);
        System.arraycopy(ops, 0, merged, accepts.length, ops.length);
        int[] next = normalized(merged);
        if (next.length > MAX_ACCEPTS) {
            return false;
        }
        accepts = next;
        return true;
    }

    /** goim's UnWatch: removes {@code ops}. */
    void unwatch(int[] ops) {
        int[] gone = normalized(ops);
        accepts = Arrays.stream(accepts).filter(op -> Arrays.binarySearch(gone, op) < 0).toArray();
    }

    int[] accepted() {
        return accepts.clone();
    }

    @Override
    public String toString() {
        return "accepts " + Arrays.toString(accepts) + (session == null ? "" : ", session " + session);
    }

    private static int[] normalized(int[] ops) {
        return Arrays.stream(ops).sorted().distinct().toArray();
    }
}
