package io.goim.comet;

import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A share of this comet's connections, chosen by hash of the subKey: subKey to channel,
 * under the bucket's own lock so that connections in different buckets never contend.
 *
 * <p>Thread-safe.
 */
final class Bucket {
    private final Map<String, Channel> channels = new HashMap<>();

    /**
     * Registers {@code ch} under {@code key}; returns the channel it replaced (a client
     * that reconnected while its old connection was still registered), or null.
     */
    synchronized Channel put(String key, Channel ch) {
        return channels.put(key, ch);
    }

    /** Removes {@code key} only if it still maps to {@code ch}; a newer connection under the same key stays. */
    synchronized boolean remove(String key, Channel ch) {
        return channels.remove(key, ch);
    }

    synchronized Channel get(String key) {
        return channels.get(key);
    }

    synchronized int size() {
        return channels.size();
    }

    /** Runs {@code action} on a snapshot of the channels, outside the lock. */
    void forEach(Consumer<Channel> action) {
        List<Channel> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(channels.values());
        }
        snapshot.forEach(action);
    }
}
