package io.goim.router;

import io.goim.libs.hash.Buckets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All sessions of this router, split over buckets by user id so that unrelated users
 * never contend for one lock.
 *
 * <p>Thread-safe.
 */
public final class SessionStore {
    private final Bucket[] buckets;

    public SessionStore(int buckets) {
        this.buckets = new Bucket[buckets];
        for (int i = 0; i < buckets; i++) {
            this.buckets[i] = new Bucket();
        }
    }

    private Bucket bucket(long userId) {
        return buckets[Buckets.index(userId, buckets.length)];
    }

    /** Registers a connection of {@code userId} on comet {@code server} in {@code room} (-1: none); returns its seq. */
    public int put(long userId, int server, int room) {
        return bucket(userId).put(userId, server, room);
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
