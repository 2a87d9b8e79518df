package io.goim.comet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A share of this comet's connections, chosen by hash of the subKey (goim's Bucket):
 * subKey to connection, and the rooms those connections are in, under the bucket's own
 * lock so that connections in different buckets never contend. Room and broadcast
 * deliveries run on the bucket's {@link RoomWorkers}.
 *
 * <p>Thread-safe. Lock order: bucket, then room. A connection's room links change only
 * while both are held, so they may be read under either.
 */
final class Bucket {
    private final Map<String, Connection> connections = new HashMap<>();
    private final Map<Integer, Room> rooms = new HashMap<>();
    private final RoomWorkers workers;
    private final CometCounters counters;
    private final Whitelist whitelist;
    private final LoopBacklog backlog;

    Bucket(RoomWorkers workers, CometCounters counters, Whitelist whitelist, LoopBacklog backlog) {
        this.workers = workers;
        this.counters = counters;
        this.whitelist = whitelist;
        this.backlog = backlog;
    }

    /**
     * Registers {@code c} under its key and joins it to its room. Returns the connection it
     * replaced (a client that reconnected while its old connection was still registered),
     * already taken out of its room, or null.
     */
    synchronized Connection put(Connection c) {
        Connection old = connections.put(c.key, c);
        if (old != null && old != c) {
            leaveRoom(old);
        }
        if (c.roomId >= 0 && c.room == null) {
            rooms.computeIfAbsent(c.roomId, Room::new).join(c);
        }
        return old == c ? null : old;
    }

    /**
     * Forgets {@code c} and takes it out of its room. False when {@code c} was no longer
     * registered: a newer connection under the same key replaced it and stays.
     */
    synchronized boolean remove(Connection c) {
        leaveRoom(c);
        return connections.remove(c.key, c);
    }

    private void leaveRoom(Connection c) {
        Room r = c.room;
        if (r != null && r.leave(c) && r.online() == 0) {
            rooms.remove(r.id, r); // an empty room is dropped; a join recreates it
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

    /** Adds the ids of this bucket's rooms that have someone online. */
    synchronized void collectRoomIds(Set<Integer> into) {
        for (Room r : rooms.values()) {
            if (r.online() > 0) {
                into.add(r.id);
            }
        }
    }

    /** Online count of room {@code roomId} in this bucket. */
    synchronized int roomOnline(int roomId) {
        Room r = rooms.get(roomId);
        return r == null ? 0 : r.online();
    }

    /**
     * Hands delivery of {@code msg} to the room's connections to a worker; counts a drop
     * when its queue is full. The worker walks the room and hands the members, grouped by
     * event loop, to their loops ({@link LoopFanOut}), which do the writes.
     */
    void broadcastRoom(int roomId, PushMessage msg) {
        Room r;
        synchronized (this) {
            r = rooms.get(roomId);
        }
        if (r == null) {
            return;
        }
        msg.retain();
        boolean queued = workers.submit(() -> {
            try {
                LoopFanOut out = new LoopFanOut(msg, counters, whitelist, backlog, null);
                r.forEach(out);
                out.finish();
            } finally {
                msg.release();
            }
        });
        if (!queued) {
            msg.release();
            counters.roomPushesDropped.increment();
        }
    }

    /**
     * Delivers {@code msg} to every connection: a worker walks the bucket and hands the
     * connections, grouped by event loop, to their loops; completes with the number
     * written once every loop has written its share.
     */
    CompletableFuture<Integer> broadcast(PushMessage msg) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        msg.retain();
        boolean queued = workers.submit(() -> {
            LoopFanOut out = new LoopFanOut(msg, counters, whitelist, backlog, done::complete);
            try {
                synchronized (this) { // walked in place, no copy: the walk only fills chunks, the loops write
                    for (Connection c : connections.values()) {
                        out.accept(c);
                    }
                }
            } finally {
                out.finish();
                msg.release();
            }
        });
        if (!queued) {
            msg.release();
            counters.roomPushesDropped.increment();
            done.complete(0);
        }
        return done;
    }
}
