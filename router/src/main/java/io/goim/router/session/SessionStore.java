package io.goim.router.session;

import io.goim.libs.hash.Buckets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * All sessions of this router, split over shards ({@link SessionShard}) by user id so that unrelated users
 * never contend for one lock.
 *
 * <p>Expiry: every connection carries the time of its last Put or Touch. {@link #expire}
 * (called by the {@link Cleaner}) forgets connections older than the session expiry, so
 * the connections of a comet that crashed, or whose Disconnect was lost, are forgotten
 * eventually. A live connection stays because its comet Touches it more often than the
 * expiry (goim refreshed only on Put, so a connection open longer than the expiry was
 * forgotten while still open). Time comes from an injected clock, so tests need no sleep.
 *
 * <p>The store also remembers when it last heard from each comet (its last Put or Touch),
 * so {@link #delServer(int, long)} can refuse to forget a comet that is evidently alive:
 * forgetting one would make all its users unreachable until its next renew. An entry
 * goes with the comet's DelServer or after a session expiry of silence.
 *
 * <p>Thread-safe.
 */
public final class SessionStore {
    private final SessionShard[] shards;
    private final long expireNanos;
    private final LongSupplier nanoClock;
    /**
     * Client-chosen key (goim v2) to the connection that owns it. Only keyed connections
     * have an entry, so v1 sessions pay nothing for it; each shard changes the entries of
     * its own connections under its lock.
     */
    private final ConcurrentMap<String, KeyedConn> keys = new ConcurrentHashMap<>();
    /** Comet id to the clock's time of its last Put or Touch. */
    private final ConcurrentMap<Integer, AtomicLong> lastHeard = new ConcurrentHashMap<>();

    /** What {@link #delServer(int, long)} did. */
    public record DelServerResult(int removed, boolean refused, long lastHeardNanosAgo) {
    }

    /**
     * @param buckets number of shards (locks): {@code router.buckets}
     * @param expire how long a connection lives after its last Put or Touch
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime} in production)
     */
    public SessionStore(int buckets, Duration expire, LongSupplier nanoClock) {
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets: " + buckets + " (expected: >= 1)");
        }
        this.shards = new SessionShard[buckets];
        for (int i = 0; i < buckets; i++) {
            this.shards[i] = new SessionShard(keys);
        }
        this.expireNanos = expire.toNanos();
        this.nanoClock = nanoClock;
    }

    private SessionShard shard(long userId) {
        return shards[Buckets.index(userId, shards.length)];
    }

    /** Registers a connection of {@code userId} on comet {@code server} in the room set {@code rooms} (empty: none); returns its seq. */
    public int put(long userId, int server, String rooms) {
        return put(userId, server, rooms, null);
    }

    /** As {@link #put(long, int, String)}, for a connection whose client chose {@code key} (null or empty: none). */
    public int put(long userId, int server, String rooms, String key) {
        return put(userId, server, rooms, key, 0);
    }

    /**
     * As {@link #put(long, int, String, String)} for login {@code loginId} (0: none): a
     * repeated login answers the seq it got; a login that was undone ({@link #undo}), or
     * whose session is gone already, stores nothing and answers {@link SessionShard#PUT_UNDONE}.
     */
    public int put(long userId, int server, String rooms, String key, long loginId) {
        long now = nanoClock.getAsLong();
        heard(server, now);
        return shard(userId).put(userId, server, rooms, key, loginId, now);
    }

    /**
     * Undoes login {@code loginId} of {@code userId} (its comet or logic gave up on it):
     * deletes the session it stored, and makes a put of it that arrives later store
     * nothing. True when a session was deleted.
     */
    public boolean undo(long userId, long loginId) {
        return shard(userId).undo(userId, loginId, nanoClock.getAsLong());
    }

    /** The comet holding the connection that owns client key {@code key}, or 0 when none does. */
    public int keyServer(String key) {
        Conn c = keys.get(key);
        return c == null ? 0 : c.server;
    }

    /** How many client keys are indexed. */
    public int keyCount() {
        return keys.size();
    }

    private void heard(int server, long now) {
        AtomicLong t = lastHeard.get(server);
        if (t == null) {
            t = lastHeard.computeIfAbsent(server, s -> new AtomicLong());
        }
        t.set(now);
    }

    /**
     * A comet reports connection {@code userId_seq} as open on {@code server} in the room
     * set {@code rooms}: its expiry starts again, or, when this router does not know it
     * (restarted, or expired), it is registered again under the same seq. A connection
     * that changed rooms since moves between the room counters.
     */
    public SessionShard.Touched touch(long userId, int seq, int server, String rooms) {
        return touch(userId, seq, server, rooms, null);
    }

    /** As {@link #touch(long, int, int, String)}, with the key its client chose (null or empty: none). */
    public SessionShard.Touched touch(long userId, int seq, int server, String rooms, String key) {
        long now = nanoClock.getAsLong();
        heard(server, now);
        return shard(userId).touch(userId, seq, server, rooms, key, now);
    }

    /**
     * Forgets every connection not Put or Touched within the expiry, and the records of
     * users with no connection and no activity within it; returns how many connections.
     */
    public int expire() {
        long deadline = nanoClock.getAsLong() - expireNanos;
        int n = 0;
        for (SessionShard s : shards) {
            n += s.expire(deadline);
        }
        // A comet silent for a whole expiry has no session left here to protect.
        lastHeard.values().removeIf(t -> t.get() - deadline < 0);
        return n;
    }

    /** Removes a connection; false when it was not known. */
    public boolean del(long userId, int seq) {
        return del(userId, seq, 0);
    }

    /**
     * Removes connection {@code userId_seq} when comet {@code server} holds it (0: any
     * comet); false when it was not known there. Seqs are never handed out twice (see
     * {@link Session}), so a late delete cannot remove a newer connection of the user.
     */
    public boolean del(long userId, int seq, int server) {
        return shard(userId).del(userId, seq, server, nanoClock.getAsLong());
    }

    /** Forgets every connection held by comet {@code server}; returns how many. */
    public int delServer(int server) {
        return delServer(server, 0).removed();
    }

    /**
     * Forgets every connection held by comet {@code server}, unless it was heard from
     * (Put or Touch) less than {@code aliveWithinNanos} ago (0: forget unconditionally).
     */
    public DelServerResult delServer(int server, long aliveWithinNanos) {
        AtomicLong t = lastHeard.get(server);
        long ago = t == null ? -1 : Math.max(0, nanoClock.getAsLong() - t.get());
        if (aliveWithinNanos > 0 && t != null && ago < aliveWithinNanos) {
            return new DelServerResult(0, true, ago);
        }
        lastHeard.remove(server);
        int removed = 0;
        for (SessionShard s : shards) {
            removed += s.delServer(server);
        }
        return new DelServerResult(removed, false, ago);
    }

    /** One user's connections, or null when the user has none. */
    public SessionShard.UserConns get(long userId) {
        return shard(userId).get(userId);
    }

    public List<SessionShard.UserConns> getAll() {
        List<SessionShard.UserConns> all = new ArrayList<>();
        for (SessionShard s : shards) {
            s.getAll(all);
        }
        return all;
    }

    public int count() {
        int n = 0;
        for (SessionShard s : shards) {
            n += s.count();
        }
        return n;
    }

    public int roomCount(String room) {
        int n = 0;
        for (SessionShard s : shards) {
            n += s.roomCount(room);
        }
        return n;
    }

    public int userCount(long userId) {
        return shard(userId).userCount(userId);
    }

    public Map<String, Integer> allRoomCount() {
        Map<String, Integer> out = new HashMap<>();
        for (SessionShard s : shards) {
            s.addRoomCounts(out);
        }
        return out;
    }

    public Map<Integer, Integer> allServerCount() {
        Map<Integer, Integer> out = new HashMap<>();
        for (SessionShard s : shards) {
            s.addServerCounts(out);
        }
        return out;
    }

    /** For tests: user records kept, with or without connections. */
    int records() {
        int n = 0;
        for (SessionShard s : shards) {
            n += s.records();
        }
        return n;
    }

    /** For tests: true when every shard's counters match its sessions. */
    public boolean countersAgreeWithSessions() {
        for (SessionShard s : shards) {
            if (!s.countersAgreeWithSessions()) {
                return false;
            }
        }
        return true;
    }
}
