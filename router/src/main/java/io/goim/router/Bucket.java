package io.goim.router;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A share of the users (chosen by hash of the user id) with their sessions and the
 * counters derived from them: connections per room, per comet server, and which users
 * have connections on each server (so forgetting a server does not scan every user).
 * Counters are changed only together with the sessions they count, under one lock, so
 * they always agree.
 *
 * <p>Thread-safe: every method takes the bucket's lock.
 */
final class Bucket {
    /** A snapshot of one user's connections, in seq order of insertion. */
    record UserConns(long userId, int[] seqs, int[] servers) {
    }

    private final Map<Long, Session> sessions = new HashMap<>();
    private final Map<Integer, Integer> roomCounter = new HashMap<>();
    private final Map<Integer, Integer> serverCounter = new HashMap<>();
    private final Map<Integer, Map<Long, Integer>> userServerCounter = new HashMap<>();
    private int connections;

    synchronized int put(long userId, int server, int room) {
        int seq = sessions.computeIfAbsent(userId, u -> new Session()).put(server, room);
        count(userId, server, room, 1);
        return seq;
    }

    /** Removes one connection; false when unknown. */
    synchronized boolean del(long userId, int seq) {
        Session s = sessions.get(userId);
        if (s == null) {
            return false;
        }
        Session.Conn c = s.remove(seq);
        if (c == null) {
            return false;
        }
        if (s.isEmpty()) {
            sessions.remove(userId);
        }
        count(userId, c.server(), c.room(), -1);
        return true;
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
            for (Iterator<Session.Conn> it = s.conns().values().iterator(); it.hasNext(); ) {
                Session.Conn c = it.next();
                if (c.server() == server) {
                    it.remove();
                    count(userId, server, c.room(), -1);
                    removed++;
                }
            }
            if (s.isEmpty()) {
                sessions.remove(userId);
            }
        }
        return removed;
    }

    synchronized UserConns get(long userId) {
        Session s = sessions.get(userId);
        return s == null ? null : snapshot(userId, s);
    }

    synchronized void getAll(List<UserConns> out) {
        for (Map.Entry<Long, Session> e : sessions.entrySet()) {
            out.add(snapshot(e.getKey(), e.getValue()));
        }
    }

    synchronized int userCount(long userId) {
        Session s = sessions.get(userId);
        return s == null ? 0 : s.size();
    }

    synchronized int count() {
        return connections;
    }

    synchronized int roomCount(int room) {
        return roomCounter.getOrDefault(room, 0);
    }

    synchronized void addRoomCounts(Map<Integer, Integer> out) {
        roomCounter.forEach((room, n) -> out.merge(room, n, Integer::sum));
    }

    synchronized void addServerCounts(Map<Integer, Integer> out) {
        serverCounter.forEach((server, n) -> out.merge(server, n, Integer::sum));
    }

    private static UserConns snapshot(long userId, Session s) {
        int[] seqs = new int[s.size()];
        int[] servers = new int[s.size()];
        int i = 0;
        for (Map.Entry<Integer, Session.Conn> e : s.conns().entrySet()) {
            seqs[i] = e.getKey();
            servers[i] = e.getValue().server();
            i++;
        }
        return new UserConns(userId, seqs, servers);
    }

    private void count(long userId, int server, int room, int delta) {
        connections += delta;
        if (room >= 0) {
            add(roomCounter, room, delta);
        }
        add(serverCounter, server, delta);
        Map<Long, Integer> users = userServerCounter.computeIfAbsent(server, k -> new HashMap<>());
        add(users, userId, delta);
        if (users.isEmpty()) {
            userServerCounter.remove(server);
        }
    }

    private static <K> void add(Map<K, Integer> counter, K key, int delta) {
        counter.merge(key, delta, (a, b) -> a + b == 0 ? null : a + b);
    }

    /** For tests: every counter recomputed from the sessions, to compare with the kept ones. */
    synchronized boolean countersAgreeWithSessions() {
        Map<Integer, Integer> rooms = new HashMap<>();
        Map<Integer, Integer> servers = new HashMap<>();
        int total = 0;
        for (Session s : sessions.values()) {
            for (Session.Conn c : s.conns().values()) {
                total++;
                if (c.room() >= 0) {
                    rooms.merge(c.room(), 1, Integer::sum);
                }
                servers.merge(c.server(), 1, Integer::sum);
            }
        }
        return total == connections && rooms.equals(roomCounter) && servers.equals(serverCounter)
                && new ArrayList<>(userServerCounter.keySet()).containsAll(servers.keySet())
                && servers.keySet().containsAll(userServerCounter.keySet());
    }
}
