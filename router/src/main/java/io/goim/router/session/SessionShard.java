package io.goim.router.session;

import io.goim.protocol.RoomKeys;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A share of the users (chosen by hash of the user id) with their sessions and the
 * counters derived from them: connections per room, per comet server, and which users
 * have connections on each server (so forgetting a server does not scan every user).
 * Counters are changed only together with the sessions they count, under one lock, so
 * they always agree. Every connection is also in the shard's {@link ConnLru}, which the
 * cleaner walks to forget connections no comet vouched for within the expiry.
 *
 * <p>Thread-safe: every method takes the shard's lock.
 */
public final class SessionShard {
    /** A snapshot of one user's connections, in seq order of insertion. */
    public record UserConns(long userId, int[] seqs, int[] servers, String[] clientKeys) {
    }

    /** What a Touch did with one connection. */
    public enum Touched {
        /** Known on that server: its expiry starts again. */
        REFRESHED,
        /** Unknown (router restarted, or it expired): registered again under its seq. */
        RELEARNED,
        /** The seq is held by a connection on another server: the comet should close its own. */
        CONFLICT,
        /**
         * The seq was deleted by name moments ago (a Disconnect or an undo that the renew
         * crossed): not registered again; the comet should close it (it is closing anyway).
         */
        ENDED
    }

    /** What {@link #put} answers for a login that was undone: nothing stored. */
    public static final int PUT_UNDONE = -1;

    /** A user record left with no connection, and when it was queued for the cleaner. */
    private record Retired(Session session, long at) {
    }

    private final Map<Long, Session> sessions = new HashMap<>();
    private final Map<String, Integer> roomCounter = new HashMap<>();
    private final Map<Integer, Integer> serverCounter = new HashMap<>();
    private final Map<Integer, Map<Long, Integer>> userServerCounter = new HashMap<>();
    private final ConnLru lru = new ConnLru();
    /**
     * Records of users left with no connection, oldest first: kept for the session expiry
     * after their last activity (so seqs are not handed out again), then dropped by
     * {@link #expire}.
     */
    private final ArrayDeque<Retired> retired = new ArrayDeque<>();
    /** The store's index of client-chosen keys, shared by every shard; changed under this shard's lock for its own connections. */
    private final Map<String, KeyedConn> keys;
    private int connections;

    SessionShard(Map<String, KeyedConn> keys) {
        this.keys = keys;
    }

    /**
     * Registers a connection in the room set {@code rooms} (see libs' RoomKeys); {@code key}
     * is the key its client chose, or null/empty. A key held by another connection passes to
     * this one (the newest login owns it, as goim v2 overwrites its key mapping); the other
     * keeps its session and gets the key back on a renew once this one is gone.
     *
     * <p>{@code loginId} (0: none) names the login: a repeat of a login stored moments ago
     * answers the seq it got, and a login that was undone, or whose session is gone already,
     * stores nothing and answers {@link #PUT_UNDONE}.
     */
    synchronized int put(long userId, int server, String rooms, String key, long loginId, long now) {
        Session s = sessions.computeIfAbsent(userId, Session::new);
        s.changed(now);
        if (loginId != 0) {
            int got = s.login(loginId, now);
            if (got == Session.UNDONE || got > 0 && s.get(got) == null) {
                return PUT_UNDONE; // (a record with a login is not new: it is queued already if empty)
            }
            if (got > 0) {
                return got;
            }
        }
        Conn c = s.put(server, RoomKeys.canonical(rooms), key);
        if (loginId != 0) {
            s.login(loginId, c.seq, now);
        }
        lru.add(c, now);
        count(c, 1);
        if (c instanceof KeyedConn k) {
            keys.put(k.key, k);
        }
        return c.seq;
    }

    /**
     * Removes one connection, when it is held by comet {@code server} (0: by any); false
     * when unknown there. The seq is remembered as ended, so a renew that crossed this
     * delete does not register it again.
     */
    synchronized boolean del(long userId, int seq, int server, long now) {
        Session s = sessions.get(userId);
        if (s == null) {
            return false;
        }
        Conn c = s.get(seq);
        if (c != null && server != 0 && c.server != server) {
            return false; // another comet's connection: not the one this delete names
        }
        s.changed(now);
        s.ended(seq, now);
        if (c == null) {
            return false;
        }
        lru.unlink(c);
        forget(s, c);
        return true;
    }

    /**
     * Undoes login {@code loginId} of {@code userId}: deletes the session it stored, if any,
     * and remembers the login as undone, so that a put of it arriving later (a Connect still
     * on its way, or repeated) stores nothing. True when a session was deleted.
     */
    synchronized boolean undo(long userId, long loginId, long now) {
        Session s = sessions.computeIfAbsent(userId, Session::new);
        s.changed(now);
        int got = s.login(loginId, now);
        s.login(loginId, Session.UNDONE, now);
        Conn c = got > 0 ? s.get(got) : null;
        if (got > 0) {
            s.ended(got, now);
        }
        if (c == null) {
            if (s.isEmpty()) {
                retired.add(new Retired(s, now));
            }
            return false;
        }
        lru.unlink(c);
        forget(s, c);
        return true;
    }

    /**
     * Refreshes, or registers again, a connection a comet reports as open in the room set
     * {@code rooms} ({@code key}: the key its client chose, or null/empty); a connection that
     * changed rooms moves between the room counters.
     */
    synchronized Touched touch(long userId, int seq, int server, String rooms, String key, long now) {
        Session s = sessions.computeIfAbsent(userId, Session::new);
        s.activeNanos = now;
        Conn c = s.get(seq);
        if (c == null && s.isEnded(seq, now)) {
            return Touched.ENDED;
        }
        if (c == null) {
            c = s.putAt(seq, server, RoomKeys.canonical(rooms), key);
            lru.add(c, now);
            count(c, 1);
            reclaim(c);
            return Touched.RELEARNED;
        }
        if (c.server != server) {
            return Touched.CONFLICT;
        }
        if (!c.rooms.equals(rooms)) {
            countRooms(c.rooms, -1);
            c.rooms = RoomKeys.canonical(rooms);
            countRooms(c.rooms, 1);
        }
        lru.touch(c, now);
        reclaim(c);
        return Touched.REFRESHED;
    }

    /** A keyed connection a comet vouches for takes its key back when no other connection holds it. */
    private void reclaim(Conn c) {
        if (c instanceof KeyedConn k) {
            keys.putIfAbsent(k.key, k);
        }
    }

    /** Forgets every connection touched at or before {@code deadline}; returns how many. */
    synchronized int expire(long deadline) {
        int n = lru.expire(deadline, c -> forget(sessions.get(c.userId), c));
        dropRetired(deadline);
        return n;
    }

    /** Drops the records of users with no connection and no activity since {@code deadline}. */
    private void dropRetired(long deadline) {
        int n = retired.size(); // each entry is looked at once per clean
        Retired r;
        while (n-- > 0 && (r = retired.peek()) != null && r.at - deadline <= 0) {
            retired.poll();
            Session s = r.session;
            if (!s.isEmpty() || sessions.get(s.userId()) != s) {
                continue; // back online (queued again when it empties), or dropped already
            }
            if (s.activeNanos - deadline <= 0) {
                sessions.remove(s.userId());
            } else {
                retired.add(new Retired(s, s.activeNanos)); // active since it was queued
            }
        }
    }

    /** Forgets every connection on {@code server}; returns how many. */
    synchronized int delServer(int server) {
        Map<Long, Integer> users = userServerCounter.get(server);
        if (users == null) {
            return 0;
        }
        int removed = 0;
        for (Long userId : List.copyOf(users.keySet())) {
            Session s = sessions.get(userId);
            for (Conn c : List.copyOf(s.conns().values())) {
                if (c.server == server) {
                    lru.unlink(c);
                    forget(s, c);
                    removed++;
                }
            }
        }
        return removed;
    }

    synchronized UserConns get(long userId) {
        Session s = sessions.get(userId);
        return s == null || s.isEmpty() ? null : snapshot(userId, s);
    }

    synchronized void getAll(List<UserConns> out) {
        for (Map.Entry<Long, Session> e : sessions.entrySet()) {
            if (!e.getValue().isEmpty()) {
                out.add(snapshot(e.getKey(), e.getValue()));
            }
        }
    }

    /** User records kept, with or without connections (for tests and the memory estimate). */
    synchronized int records() {
        return sessions.size();
    }

    synchronized int userCount(long userId) {
        Session s = sessions.get(userId);
        return s == null ? 0 : s.size();
    }

    synchronized int count() {
        return connections;
    }

    synchronized int roomCount(String room) {
        return roomCounter.getOrDefault(room, 0);
    }

    synchronized void addRoomCounts(Map<String, Integer> out) {
        roomCounter.forEach((room, n) -> out.merge(room, n, Integer::sum));
    }

    synchronized void addServerCounts(Map<Integer, Integer> out) {
        serverCounter.forEach((server, n) -> out.merge(server, n, Integer::sum));
    }

    private static UserConns snapshot(long userId, Session s) {
        int[] seqs = new int[s.size()];
        int[] servers = new int[s.size()];
        String[] keys = null; // only when a connection has a client key
        int i = 0;
        for (Conn c : s.conns().values()) {
            seqs[i] = c.seq;
            servers[i] = c.server;
            if (c instanceof KeyedConn k) {
                if (keys == null) {
                    keys = new String[s.size()];
                    java.util.Arrays.fill(keys, "");
                }
                keys[i] = k.key;
            }
            i++;
        }
        return new UserConns(userId, seqs, servers, keys);
    }

    /** Removes {@code c} (already unlinked from the LRU) from its session and the counters. */
    private void forget(Session s, Conn c) {
        s.remove(c.seq);
        if (c instanceof KeyedConn k) {
            keys.remove(k.key, k); // only if it still owns the key: a newer login may hold it
        }
        if (s.isEmpty()) {
            // Kept for the session expiry, so the user's next login continues after its seqs.
            retired.add(new Retired(s, s.activeNanos));
        }
        count(c, -1);
    }

    private void count(Conn c, int delta) {
        connections += delta;
        countRooms(c.rooms, delta);
        add(serverCounter, c.server, delta);
        Map<Long, Integer> users = userServerCounter.computeIfAbsent(c.server, k -> new HashMap<>());
        add(users, c.userId, delta);
        if (users.isEmpty()) {
            userServerCounter.remove(c.server);
        }
    }

    /** Adds {@code delta} to the counter of every room of the room set {@code rooms}. */
    private void countRooms(String rooms, int delta) {
        if (rooms.isEmpty()) {
            return;
        }
        if (rooms.indexOf(RoomKeys.SEPARATOR) < 0) {
            add(roomCounter, rooms, delta); // one room: no split, no allocation
            return;
        }
        for (String room : RoomKeys.split(rooms)) {
            add(roomCounter, room, delta);
        }
    }

    private static <K> void add(Map<K, Integer> counter, K key, int delta) {
        counter.merge(key, delta, (a, b) -> a + b == 0 ? null : a + b);
    }

    /** For tests: every counter recomputed from the sessions, to compare with the kept ones. */
    synchronized boolean countersAgreeWithSessions() {
        Map<String, Integer> rooms = new HashMap<>();
        Map<Integer, Integer> servers = new HashMap<>();
        Map<Integer, Map<Long, Integer>> userServers = new HashMap<>();
        int total = 0;
        for (Session s : sessions.values()) {
            for (Conn c : s.conns().values()) {
                total++;
                for (String room : RoomKeys.split(c.rooms)) {
                    rooms.merge(room, 1, Integer::sum);
                }
                servers.merge(c.server, 1, Integer::sum);
                userServers.computeIfAbsent(c.server, k -> new HashMap<>()).merge(c.userId, 1, Integer::sum);
            }
        }
        return total == connections && rooms.equals(roomCounter) && servers.equals(serverCounter)
                && userServers.equals(userServerCounter) && lru.size() == connections;
    }
}
