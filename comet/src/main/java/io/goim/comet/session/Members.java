package io.goim.comet.session;

import io.goim.comet.push.LoopOutbox;
import java.util.Arrays;

/**
 * A reusable list of connections that one {@link LoopOutbox} pass collects (the members of
 * a room on its loop, the connections to flush), so a pass allocates nothing per member.
 * Cleared after use so it holds no connection between passes.
 *
 * <p>Not thread-safe: confined to one event loop.
 */
public final class Members {
    private Connection[] items = new Connection[64];
    private int size;

    public void add(Connection c) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = c;
    }

    public int size() {
        return size;
    }

    public Connection get(int i) {
        return items[i];
    }

    /** Forgets every connection (the array keeps its capacity). */
    public void clear() {
        Arrays.fill(items, 0, size, null);
        size = 0;
    }
}
