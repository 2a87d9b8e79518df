package io.goim.logic.session;

import io.goim.libs.admin.Readiness;
import io.goim.logic.PushRefused;
import io.goim.protocol.SubKey;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What logic needs from the store of who is connected where: register, renew and remove
 * connections, find users for a push, count, forget a dead comet, and tell when the store
 * restarted empty. Two implementations, chosen by {@code logic.session.store}: the router
 * tier ({@link Routers}, the default) and Redis ({@link RedisSessionStore}).
 *
 * <p>Every call is asynchronous with a deadline: nothing here blocks the caller (a gRPC or
 * Netty thread), and the futures may complete on the store client's I/O threads, so their
 * continuations must not block either. A store that is down or too slow fails the future
 * with a gRPC {@code UNAVAILABLE} status (or one the store answered), which comets retry
 * and the HTTP API turns into 503.
 *
 * <p>A store is made of <b>shards</b> (routers; the one Redis deployment), each with an
 * <b>incarnation</b>: a non-zero id that changes when the shard lost its sessions. Logic
 * combines them into the epoch comets poll ({@link RouterEpochs}).
 *
 * <p>Implementations are thread-safe.
 */
public interface SessionStore extends SessionLookups, AutoCloseable {

    /**
     * Where users are connected: the key of every connection (its subKey, or the key its
     * client chose), grouped by comet server; the shards' incarnations.
     */
    record Lookup(Map<Integer, List<String>> byServer, Map<Integer, Long> incarnations) {
    }

    /** What the store did with a comet's renewed connections. */
    record Renewed(int refreshed, int relearned, List<String> conflicts) {
    }

    /** How many shards there are (the epoch waits for each to answer once). */
    int shardCount();

    /** Registers a connection in room {@code room} (a room key; empty for none); completes with its seq. */
    default CompletableFuture<Integer> put(long userId, int server, String room) {
        return put(userId, server, room, "");
    }

    /**
     * As {@link #put(long, int, String)} for a connection whose client chose {@code clientKey}
     * ("" for none: its key is its subKey). The newest login owns a key another connection
     * holds (goim v2 overwrites its mapping too).
     */
    default CompletableFuture<Integer> put(long userId, int server, String room, String clientKey) {
        return put(userId, server, room, clientKey, 0);
    }

    /**
     * As {@link #put(long, int, String, String)} for login {@code loginId} (0: none): a
     * repeated login completes with the seq it got; a login that was undone
     * ({@link #undo}), or whose session is gone already, stores nothing and fails with
     * {@code CANCELLED}. Seqs are never handed out twice to one user (docs/router-sessions.md,
     * "Session identity").
     */
    CompletableFuture<Integer> put(long userId, int server, String room, String clientKey, long loginId);

    /**
     * Undoes login {@code loginId} of {@code userId} (its comet gave up on it, and the seq
     * may never have been learned): deletes the session it stored, if any, and makes a put
     * of it that arrives later store nothing. Completes with whether a session was deleted.
     */
    CompletableFuture<Boolean> undo(long userId, long loginId);

    /**
     * Where the connections with client-chosen keys are: key lists grouped by comet server.
     * Keys nobody holds are absent. A client key does not name its user, so this asks every
     * shard (one round trip each, in parallel).
     */
    CompletableFuture<Map<Integer, List<String>>> lookupClientKeys(Collection<String> clientKeys);

    /** How many connections {@code userId} holds. */
    CompletableFuture<Integer> userCount(long userId);

    /**
     * Removes a connection, which the comet says was in the room set {@code rooms} (the
     * store counts by the rooms it remembers); completes with whether it was known.
     */
    default CompletableFuture<Boolean> del(long userId, int seq, String rooms) {
        return del(userId, seq, rooms, 0);
    }

    /**
     * As {@link #del(long, int, String)}, only when comet {@code server} holds the connection
     * (0: any comet). A seq deleted by name is not relearned by a renew that crossed the
     * delete.
     */
    CompletableFuture<Boolean> del(long userId, int seq, String rooms, int server);

    /** Every shard's incarnation, 0 for one that did not answer within the deadline; never fails. */
    CompletableFuture<Map<Integer, Long>> incarnations();

    /**
     * Vouches for open connections of comet {@code server}: refreshed when known there,
     * registered again under the same seq when unknown (relearned), reported as a conflict
     * when the seq is held on another comet. {@code rooms.get(i)} is the room set of {@code keys.get(i)}
     * (room keys separated by '\n', see libs' RoomKeys): a connection whose rooms changed
     * moves between the room counts, so this is also how a room change is learned.
     */
    default CompletableFuture<Renewed> touch(int server, List<SubKey> keys, List<String> rooms) {
        return touch(server, keys, rooms, List.of());
    }

    /**
     * As {@link #touch(int, List, List)}; {@code clientKeys} is empty, or holds the key each
     * connection's client chose ("" for none), so a store that lost them relearns them.
     */
    CompletableFuture<Renewed> touch(int server, List<SubKey> keys, List<String> rooms, List<String> clientKeys);

    /**
     * Forgets comet {@code server}, or, when it was heard from (a renew or a login) within
     * {@code aliveWindow} (zero: no check), fails with
     * a {@link PushRefused} ({@link PushRefused.Reason#COMET_ALIVE}) saying when.
     */
    CompletableFuture<Void> delServer(int server, Duration aliveWindow);

    /** Ready when every shard answers a ping within {@code deadline}. */
    CompletableFuture<Readiness> ready(Duration deadline);

    /**
     * Which rooms one count report (RenewOnline) lists: call {@code part} (1-based) of the
     * {@code parts} calls of report {@code round}, which together list every room the
     * comet holds; one part of one lists them all. {@link #SOME}: not known (a comet of an
     * earlier release, splitting a big report).
     */
    record ReportPart(long round, int part, int parts) {
        static final ReportPart WHOLE = new ReportPart(0, 1, 1);
        static final ReportPart SOME = new ReportPart(0, 0, 0);

        /** From a request's fields; anything inconsistent reads as {@link #SOME}. */
        public static ReportPart of(boolean allRooms, long round, int part, int parts) {
            if (allRooms) {
                return WHOLE;
            }
            return parts > 1 && part >= 1 && part <= parts && round > 0 ? new ReportPart(round, part, parts) : SOME;
        }

        boolean whole() {
            return parts == 1;
        }

        boolean split() {
            return parts > 1;
        }
    }

    /**
     * Comet {@code server}'s own counts, as it reported them (RenewOnline): {@code rooms}
     * its connections per room key, {@code connections} its total, {@code part} which of
     * its rooms the report lists. A store whose counts can drift from its sessions (Redis:
     * counts are updated by a second script after the sessions' one) corrects them;
     * completes with how many counts it corrected. The routers count under the same lock as
     * the sessions and never drift: nothing to do.
     */
    default CompletableFuture<Integer> correctCounts(int server, Map<String, Integer> rooms, int connections,
            ReportPart part) {
        return CompletableFuture.completedFuture(0);
    }

    /** Connections per room key, over every comet. */
    CompletableFuture<Map<String, Integer>> allRoomCount();

    /** Connections per comet server. */
    CompletableFuture<Map<Integer, Integer>> allServerCount();

    /** The comets' announcements, kept in this store (comet discovery). */
    CometDirectory directory();

    /** The store and its addresses, for the start-up log line. */
    String describe();

    @Override
    void close() throws Exception;
}
