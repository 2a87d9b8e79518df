package io.goim.comet.session;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * All of this comet's authenticated connections, spread over {@link ConnectionBucket}s by a hash
 * of the subKey, each bucket with its own lock.
 *
 * <p>Thread-safe.
 */
public final class ConnectionRegistry {
    private final ConnectionBucket[] buckets;

    public ConnectionRegistry(int n) {
        buckets = new ConnectionBucket[n];
        for (int i = 0; i < n; i++) {
            buckets[i] = new ConnectionBucket();
        }
    }

    private ConnectionBucket bucket(String key) {
        return buckets[io.goim.libs.hash.Buckets.index(key, buckets.length)];
    }

    /** Registers {@code c} in room {@code roomKey} (none when empty); returns the connection it replaced under the same key, or null. */
    public Connection put(Connection c, String roomKey) {
        return bucket(c.key).put(c, roomKey);
    }

    /** Forgets {@code c}; returns the room set it was in, or null if a newer connection had replaced it. */
    public String remove(Connection c) {
        return bucket(c.key).remove(c);
    }

    /** goim v2's change room: see {@link ConnectionBucket#changeRoom}. */
    boolean changeRoom(Connection c, String roomKey) {
        return bucket(c.key).changeRoom(c, roomKey);
    }

    /** Joins {@code c} to a further room: see {@link ConnectionBucket#join}. */
    ConnectionBucket.Join join(Connection c, String roomKey, int max) {
        return bucket(c.key).join(c, roomKey, max);
    }

    /** Takes {@code c} out of room {@code roomKey}; false when it was not in it. */
    boolean leave(Connection c, String roomKey) {
        return bucket(c.key).leave(c, roomKey);
    }

    /** How many rooms {@code c} is in. */
    int roomCount(Connection c) {
        return bucket(c.key).roomCount(c);
    }

    /** The room set {@code c} is in now (room keys separated by '\n'; empty for none). */
    public String rooms(Connection c) {
        return bucket(c.key).rooms(c);
    }

    /** The connection registered under {@code key}, or null. */
    public Connection get(String key) {
        return bucket(key).get(key);
    }

    /** How many buckets there are. */
    public int count() {
        return buckets.length;
    }

    /** Adds the connections registered in bucket {@code i} (0 to {@link #count()} - 1), copied under its lock. */
    public void collect(int i, List<Connection> into) {
        buckets[i].collect(into);
    }

    /** A copy of all registered connections, bucket by bucket (each bucket locked only while it is copied). */
    public List<Connection> snapshot() {
        List<Connection> all = new ArrayList<>();
        for (ConnectionBucket b : buckets) {
            b.collect(all);
        }
        return all;
    }

    /** Number of authenticated connections. */
    public int online() {
        int n = 0;
        for (ConnectionBucket b : buckets) {
            n += b.online();
        }
        return n;
    }

    /** Number of (bucket, room) pairs with someone online. */
    public int rooms() {
        int n = 0;
        for (ConnectionBucket b : buckets) {
            n += b.roomCount();
        }
        return n;
    }

    /** Connections in room {@code roomKey} across all buckets. */
    public int roomOnline(String roomKey) {
        int n = 0;
        for (ConnectionBucket b : buckets) {
            n += b.roomOnline(roomKey);
        }
        return n;
    }

    /** Keys of the rooms with at least one connection here, sorted. */
    public Set<String> roomKeys() {
        Set<String> keys = new TreeSet<>();
        for (ConnectionBucket b : buckets) {
            b.collectRoomKeys(keys);
        }
        return keys;
    }

    /** This comet's online count of each room with someone online (goim v2's RoomsCount), bucket by bucket. */
    public Map<String, Integer> roomCounts() {
        Map<String, Integer> counts = new HashMap<>();
        for (ConnectionBucket b : buckets) {
            b.collectRoomCounts(counts);
        }
        return counts;
    }

    /** How many buckets: a connection stays in one for its life (its subKey's hash), so room passes go bucket by bucket. */
    public int bucketCount() {
        return buckets.length;
    }

    /** Adds the members of room {@code roomKey} in bucket {@code bucket} that run on {@code loop}. */
    public void collectRoom(int bucket, String roomKey, EventLoop loop, Members into) {
        buckets[bucket].collectRoom(roomKey, loop, into);
    }

    /** Adds every connection of bucket {@code bucket} that runs on {@code loop}. */
    public void collectAll(int bucket, EventLoop loop, Members into) {
        buckets[bucket].collectAll(loop, into);
    }
}
