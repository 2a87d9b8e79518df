package io.goim.router;

import io.goim.libs.hash.Buckets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * All sessions of this router, split over buckets by user id so that unrelated users
 * never contend for one lock.
 *
 * <p>Expiry: every connection carries the time of its last Put or Touch. {@link #expire}
 * (called by the {@link Cleaner}) forgets connections older than the session expiry, so
 * the connections of a comet that crashed, or whose Disconnect was lost, are forgotten
 * eventually. A live connection stays because its comet Touches it more often than the
 * expiry (goim refreshed only on Put, so a connection open longer than the expiry was
 * forgotten while still open). Time comes from an injected clock, so tests need no sleep.
 *
 * <p>Thread-safe.
 */
public final class SessionStore {
    private final Bucket[] buckets;
    private final long expireNanos;
    private final LongSupplier nanoClock;
    private final LongAdder expired = new LongAdder();

    /**
     * @param buckets number of buckets (locks)
     * @param expire how long a connection lives after its last Put or Touch
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime} in production)
     */
    public SessionStore(int buckets, Duration expire, LongSupplier nanoClock) {
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets: " + buckets + " (expected: >= 1)");
        }
        this.buckets = new Bucket[buckets];
        for (int i = 0; i < buckets; i++) {
            this.buckets[i] = new Bucket();
        }
        this.expireNanos = expire.toNanos();
        this.nanoClock = nanoClock;
    }

    private Bucket bucket(long userId) {
        return buckets[Buckets.index(userId, buckets.length)];
    }

    /** Registers a connection of {@code userId} on comet {@code server} in {@code room} (-1: none); returns its seq. */
    public int put(long userId, int server, int room) {
        return bucket(userId).put(userId, server, room, nanoClock.getAsLong());
    }

    /**
     * A comet reports connection {@code userId_seq} as open on {@code server} in
     * {@code room}: its expiry starts again, or, when this router does not know it
     * (restarted, or expired), it is registered again under the same seq.
     */
    public Bucket.Touched touch(long userId, int seq, int server, int room) {
        return bucket(userId).touch(userId, seq, server, room, nanoClock.getAsLong());
    }

    /** Forgets every connection not Put or Touched within the expiry; returns how many. */
    public int expire() {
        long deadline = nanoClock.getAsLong() - expireNanos;
        int n = 0;
        for (Bucket b : buckets) {
            n += b.expire(deadline);
        }
        expired.add(n);
        return n;
    }

    /** Connections forgotten by expiry since start. */
    public long expiredTotal() {
        return expired.sum();
    }

    /** Removes a connection; false when it was not known. */
    public boolean del(long userId, int seq) {
        return bucket(userId).del(userId, seq);
    }

    /** Forgets every connection held by comet {@code server}; returns how many. */
    public int delServer(int server) {
        int removed = 0;
        for (Bucket b : buckets) {
            removed += b.delServer(server);
        }
        return removed;
    }

    /** One user's connections, or null when the user has none. */
    public Bucket.UserConns get(long userId) {
        return bucket(userId).get(userId);
    }

    public List<Bucket.UserConns> getAll() {
        List<Bucket.UserConns> all = new ArrayList<>();
        for (Bucket b : buckets) {
            b.getAll(all);
        }
        return all;
    }

    public int count() {
        int n = 0;
        for (Bucket b : buckets) {
            n += b.count();
        }
        return n;
    }

    public int roomCount(int room) {
        int n = 0;
        for (Bucket b : buckets) {
            n += b.roomCount(room);
        }
        return n;
    }

    public int userCount(long userId) {
        return bucket(userId).userCount(userId);
    }

    public Map<Integer, Integer> allRoomCount() {
        Map<Integer, Integer> out = new HashMap<>();
        for (Bucket b : buckets) {
            b.addRoomCounts(out);
        }
        return out;
    }

    public Map<Integer, Integer> allServerCount() {
        Map<Integer, Integer> out = new HashMap<>();
        for (Bucket b : buckets) {
            b.addServerCounts(out);
        }
        return out;
    }

    /** For tests: true when every bucket's counters match its sessions. */
    boolean countersAgreeWithSessions() {
        for (Bucket b : buckets) {
            if (!b.countersAgreeWithSessions()) {
                return false;
            }
        }
        return true;
    }
}
