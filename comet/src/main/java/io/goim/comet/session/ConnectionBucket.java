package io.goim.comet.session;

import io.goim.comet.push.LoopOutbox;
import io.goim.protocol.RoomKeys;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A share of this comet's connections, chosen by hash of the subKey (goim's ConnectionBucket):
 * subKey to connection, and the rooms those connections are in (by room key), under the
 * bucket's own lock so that connections in different buckets never contend. Room and
 * broadcast deliveries are made by the event loops ({@link LoopOutbox}), each collecting
 * its own connections from here.
 *
 * <p>A connection's first room is its own node in the room's list; each further room a
 * {@link Membership} (see {@link Member}). Joining, leaving and changing rooms take the
 * bucket's lock, then the room's: O(1) in the room, O(rooms of the connection) to find
 * the node, at most {@code comet.max-rooms-per-connection}.
 *
 * <p>Thread-safe. Lock order: bucket, then room. A connection's room links change only
 * while both are held, so they may be read under either.
 */
final class ConnectionBucket {
    /** What {@link #join} did. */
    enum Join { JOINED, ALREADY_IN, TOO_MANY, GONE }

    private final Map<String, Connection> connections = new HashMap<>();
    private final Map<String, Room> rooms = new HashMap<>();

    /**
     * Registers {@code c} under its key and joins it to room {@code roomKey} (none when
     * empty). Returns the connection it replaced (a client that reconnected while its old
     * connection was still registered), already taken out of its rooms, or null.
     */
    synchronized Connection put(Connection c, String roomKey) {
        Connection old = connections.put(c.key, c);
        if (old != null && old != c) {
            leaveAll(old);
        }
        if (!roomKey.isEmpty() && c.room == null) {
            room(roomKey).join(c);
        }
        return old == c ? null : old;
    }

    /**
     * Forgets {@code c} and takes it out of its rooms. Returns the room set it was in
     * ({@link RoomKeys#NONE} for none), or null when {@code c} was no longer registered: a
     * newer connection under the same key replaced it and stays.
     */
    synchronized String remove(Connection c) {
        String was = rooms(c);
        leaveAll(c);
        return connections.remove(c.key, c) ? was : null;
    }

    /**
     * goim v2's change room (op 12): {@code c} leaves its first room and, unless
     * {@code roomKey} is empty, makes room {@code roomKey} its first room (leaving it as an
     * extra room first if it was one, so it is in it once). False when {@code c} is no
     * longer registered.
     */
    synchronized boolean changeRoom(Connection c, String roomKey) {
        if (connections.get(c.key) != c) {
            return false;
        }
        leave(c);
        if (!roomKey.isEmpty()) {
            Membership m = extra(c, roomKey);
            if (m != null) {
                unlinkExtra(c, m);
            }
            room(roomKey).join(c);
        }
        return true;
    }

    /**
     * Joins {@code c} to room {@code roomKey} as well as its other rooms, when it is in
     * fewer than {@code max}: as its first room when it has none, else with a new
     * {@link Membership}.
     */
    synchronized Join join(Connection c, String roomKey, int max) {
        if (connections.get(c.key) != c) {
            return Join.GONE;
        }
        if (c.room != null && c.room.key.equals(roomKey) || extra(c, roomKey) != null) {
            return Join.ALREADY_IN;
        }
        if (roomCount(c) >= max) {
            return Join.TOO_MANY;
        }
        if (c.room == null) {
            room(roomKey).join(c);
        } else {
            Membership m = new Membership(c);
            room(roomKey).join(m);
            m.nextExtra = c.extra;
            c.extra = m;
        }
        return Join.JOINED;
    }

    /** Takes {@code c} out of room {@code roomKey}; false when it was not in it (or is gone). */
    synchronized boolean leave(Connection c, String roomKey) {
        if (connections.get(c.key) != c) {
            return false;
        }
        if (c.room != null && c.room.key.equals(roomKey)) {
            leave(c);
            return true;
        }
        Membership m = extra(c, roomKey);
        if (m == null) {
            return false;
        }
        unlinkExtra(c, m);
        return true;
    }

    /** The room set {@code c} is in now, its first room first; {@link RoomKeys#NONE} for none. */
    synchronized String rooms(Connection c) {
        if (c.extra == null) {
            return c.room == null ? RoomKeys.NONE : c.room.key;
        }
        List<String> keys = new ArrayList<>();
        if (c.room != null) {
            keys.add(c.room.key);
        }
        for (Membership m = c.extra; m != null; m = m.nextExtra) {
            keys.add(m.room.key);
        }
        return RoomKeys.join(keys);
    }

    /** How many rooms {@code c} is in. */
    synchronized int roomCount(Connection c) {
        int n = c.room == null ? 0 : 1;
        for (Membership m = c.extra; m != null; m = m.nextExtra) {
            n++;
        }
        return n;
    }

    private Room room(String key) {
        return rooms.computeIfAbsent(key, Room::new);
    }

    private static Membership extra(Connection c, String roomKey) {
        for (Membership m = c.extra; m != null; m = m.nextExtra) {
            if (m.room.key.equals(roomKey)) {
                return m;
            }
        }
        return null;
    }

    private void unlinkExtra(Connection c, Membership m) {
        if (c.extra == m) {
            c.extra = m.nextExtra;
        } else {
            Membership p = c.extra;
            while (p.nextExtra != m) {
                p = p.nextExtra;
            }
            p.nextExtra = m.nextExtra;
        }
        m.nextExtra = null;
        leave(m);
    }

    private void leaveAll(Connection c) {
        leave(c);
        for (Membership m = c.extra; m != null; ) {
            Membership next = m.nextExtra;
            m.nextExtra = null;
            leave(m);
            m = next;
        }
        c.extra = null;
    }

    private void leave(Member m) {
        Room r = m.room;
        if (r != null && r.leave(m) && r.online() == 0) {
            rooms.remove(r.key, r); // an empty room is dropped; a join recreates it
        }
    }

    /** Adds every connection of this bucket to {@code into}. */
    synchronized void collect(List<Connection> into) {
        into.addAll(connections.values());
    }

    synchronized Connection get(String key) {
        return connections.get(key);
    }

    synchronized int online() {
        return connections.size();
    }

    synchronized int roomCount() {
        return rooms.size();
    }

    /** Adds the keys of this bucket's rooms that have someone online. */
    synchronized void collectRoomKeys(Set<String> into) {
        for (Room r : rooms.values()) {
            if (r.online() > 0) {
                into.add(r.key);
            }
        }
    }

    /** Adds this bucket's online count of each of its rooms that has someone online to {@code into}. */
    synchronized void collectRoomCounts(Map<String, Integer> into) {
        for (Room r : rooms.values()) {
            int n = r.online();
            if (n > 0) {
                into.merge(r.key, n, Integer::sum);
            }
        }
    }

    /** Online count of room {@code roomKey} in this bucket. */
    synchronized int roomOnline(String roomKey) {
        Room r = rooms.get(roomKey);
        return r == null ? 0 : r.online();
    }

    /** Adds the members of room {@code roomKey} in this bucket whose connection runs on {@code loop}. */
    void collectRoom(String roomKey, EventLoop loop, Members into) {
        Room r;
        synchronized (this) {
            r = rooms.get(roomKey);
        }
        if (r != null) {
            r.collect(loop, into); // a room dropped meanwhile is empty: it adds nothing
        }
    }

    /** Adds every connection of this bucket that runs on {@code loop}. */
    synchronized void collectAll(EventLoop loop, Members into) {
        for (Connection c : connections.values()) {
            if (c.channel.eventLoop() == loop) {
                into.add(c);
            }
        }
    }
}
