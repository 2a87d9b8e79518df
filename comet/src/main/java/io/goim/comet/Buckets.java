package io.goim.comet;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * All of this comet's authenticated connections, spread over {@link Bucket}s by a hash
 * of the subKey, each bucket with its own lock and room workers.
 *
 * <p>Thread-safe.
 */
public final class Buckets implements AutoCloseable {
    /**
     * Room-delivery chunks ({@link LoopFanOut}, up to {@value LoopFanOut#CHUNK} connections
     * each) one event loop may have queued; beyond it a loop that cannot keep up drops and
     * counts instead of queueing without bound (4,096 chunks hold at most ~4 MB of arrays).
     */
    static final int LOOP_BACKLOG = 4_096;

    private final Bucket[] buckets;
    private final RoomWorkers[] workers;

    Buckets(int n, int roomWorkers, int roomQueue, CometCounters counters, Whitelist whitelist) {
        buckets = new Bucket[n];
        workers = new RoomWorkers[n];
        LoopBacklog backlog = new LoopBacklog(LOOP_BACKLOG);
        for (int i = 0; i < n; i++) {
            workers[i] = new RoomWorkers("comet-bucket-" + i + "-room", roomWorkers, roomQueue);
            buckets[i] = new Bucket(workers[i], counters, whitelist, backlog);
        }
    }

    private Bucket bucket(String key) {
        return buckets[io.goim.libs.hash.Buckets.index(key, buckets.length)];
    }

    /** Registers {@code c}; returns the connection it replaced under the same key, or null. */
    Connection put(Connection c) {
        return bucket(c.key).put(c);
    }

    /** Forgets {@code c}; false if a newer connection had replaced it. */
    boolean remove(Connection c) {
        return bucket(c.key).remove(c);
    }

    /** The connection registered under {@code key}, or null. */
    Connection get(String key) {
        return bucket(key).get(key);
    }

    /** A copy of all registered connections, bucket by bucket (each bucket locked only while it is copied). */
    List<Connection> snapshot() {
        List<Connection> all = new ArrayList<>();
        for (Bucket b : buckets) {
            b.collect(all);
        }
        return all;
    }

    /** Number of authenticated connections. */
    public int online() {
        int n = 0;
        for (Bucket b : buckets) {
            n += b.online();
        }
        return n;
    }

    /** Number of (bucket, room) pairs with someone online. */
    public int rooms() {
        int n = 0;
        for (Bucket b : buckets) {
            n += b.roomCount();
        }
        return n;
    }

    /** Connections in room {@code roomId} across all buckets. */
    public int roomOnline(int roomId) {
        int n = 0;
        for (Bucket b : buckets) {
            n += b.roomOnline(roomId);
        }
        return n;
    }

    /** Ids of the rooms with at least one connection here, ascending. */
    Set<Integer> roomIds() {
        Set<Integer> ids = new TreeSet<>();
        for (Bucket b : buckets) {
            b.collectRoomIds(ids);
        }
        return ids;
    }

    /** Queues {@code msg} for room {@code roomId} in every bucket; returns at once. */
    void broadcastRoom(int roomId, PushMessage msg) {
        for (Bucket b : buckets) {
            b.broadcastRoom(roomId, msg);
        }
    }

    /** Delivers {@code msg} to every connection, all buckets in parallel; completes with the number written. */
    CompletableFuture<Integer> broadcast(PushMessage msg) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Integer>[] parts = new CompletableFuture[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            parts[i] = buckets[i].broadcast(msg);
        }
        return CompletableFuture.allOf(parts).thenApply(v -> {
            int n = 0;
            for (CompletableFuture<Integer> p : parts) {
                n += p.join();
            }
            return n;
        });
    }

    /** Stops the room workers after they finish what is queued. */
    @Override
    public void close() throws InterruptedException {
        for (RoomWorkers w : workers) {
            w.close(2_000);
        }
    }
}
