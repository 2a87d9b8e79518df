package io.goim.comet;

import io.netty.channel.Channel;
import java.util.function.Consumer;

/**
 * All of this comet's authenticated connections, spread over {@link Bucket}s.
 *
 * <p>Thread-safe.
 */
public final class Buckets {
    private final Bucket[] buckets;

    public Buckets(int n) {
        buckets = new Bucket[n];
        for (int i = 0; i < n; i++) {
            buckets[i] = new Bucket();
        }
    }

    private Bucket bucket(String key) {
        return buckets[io.goim.libs.hash.Buckets.index(key, buckets.length)];
    }

    Channel put(String key, Channel ch) {
        return bucket(key).put(key, ch);
    }

    boolean remove(String key, Channel ch) {
        return bucket(key).remove(key, ch);
    }

    /** The channel registered under {@code key}, or null. */
    public Channel get(String key) {
        return bucket(key).get(key);
    }

    /** Number of authenticated connections. */
    public int online() {
        int n = 0;
        for (Bucket b : buckets) {
            n += b.size();
        }
        return n;
    }

    void forEach(Consumer<Channel> action) {
        for (Bucket b : buckets) {
            b.forEach(action);
        }
    }
}
