package io.goim.comet;

import io.goim.libs.protocol.RoomKeys;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A share of this comet's connections, chosen by hash of the subKey (goim's Bucket):
 * subKey to connection, and the rooms those connections are in (by room key), under the
 * bucket's own lock so that connections in different buckets never contend. Room and
 * broadcast deliveries are made by the event loops ({@link LoopOutbox}), each collecting
 * its own connections from here.
 *
 * <p>Thread-safe. Lock order: bucket, then room. A connection's room links change only
 * while both are held, so they may be read under either.
 */
final class Bucket {
    private final Map<String, Connection> connections = new HashMap<>();
    private final Map<String, Room> rooms = new HashMap<>();

    /**
     * Registers {@code c} under its key and joins it to room {@code roomKey} (none when
     * empty). Returns the connection it replaced (a client that reconnected while its old
     * connection was still registered), already taken out of its room, or null.
     */
    synchronized Connection put(Connection c, String roomKey) {
        Connection old = connections.put(c.key, c);
        if (old != null && old != c) {
            leaveRoom(old);
        }
        if (!roomKey.isEmpty() && c.room == null) {
            rooms.computeIfAbsent(roomKey, Room::new).join(c);
        }
        return old == c ? null : old;
    }

    /**
     * Forgets {@code c} and takes it out of its room. Returns the room set it was in
     * ({@link RoomKeys#NONE} for none), or null when {@code c} was no longer registered: a
     * newer connection under the same key replaced it and stays.
     */
    synchronized String remove(Connection c) {
        String was = rooms(c);
        leaveRoom(c);
        return connections.remove(c.key, c) ? was : null;
    }

    /** The room set {@code c} is in now; {@link RoomKeys#NONE} for none. */
    synchronized String rooms(Connection c) {
        Room r = c.room;
        return r == null ? RoomKeys.NONE : r.key;
    }

    private void leaveRoom(Connection c) {
        Room r = c.room;
        if (r != null && r.leave(c) && r.online() == 0) {
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
