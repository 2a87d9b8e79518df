package io.goim.router;

import io.goim.libs.discovery.Announcements;
import io.goim.protocol.RoomKeys;
import io.goim.proto.CometInstance;
import io.goim.proto.CometsReply;
import io.goim.proto.CountReply;
import io.goim.proto.CounterReply;
import io.goim.proto.DelReply;
import io.goim.proto.DelReq;
import io.goim.proto.DelServerReply;
import io.goim.proto.DelServerReq;
import io.goim.proto.Empty;
import io.goim.proto.GetReq;
import io.goim.proto.MGetReply;
import io.goim.proto.MGetReq;
import io.goim.proto.PutReply;
import io.goim.proto.PutReq;
import io.goim.proto.RoomCountReq;
import io.goim.proto.RouterGrpc;
import io.goim.proto.Session;
import io.goim.proto.IncarnationReply;
import io.goim.proto.KeyServersReply;
import io.goim.proto.KeyServersReq;
import io.goim.proto.TouchReply;
import io.goim.proto.TouchReq;
import io.goim.proto.UserCountReq;
import io.goim.proto.WithdrawReq;
import io.goim.libs.log.RateLimitedLog;
import io.goim.router.discovery.CometRegistry;
import io.goim.router.session.SessionShard;
import io.goim.router.session.SessionStore;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The router's gRPC face: each RPC of the contract mapped onto the {@link SessionStore}.
 * Bad arguments (negative user id, seq &lt;= 0, server id &lt;= 0, room id &lt; -1, lists of
 * different lengths) answer {@code INVALID_ARGUMENT} with a description naming the
 * value; nothing is changed by a refused call. A well-formed seq the router does not
 * know is not an error: Del answers {@code has = false} (a Disconnect may race the
 * cleaner or a DelServer) and Touch registers it again. All work is in memory, so
 * calls complete on the gRPC executor without blocking. Refusals are counted and logged
 * at most once per second.
 *
 * <p>Thread-safe.
 */
final class RouterService extends RouterGrpc.RouterImplBase {
    private static final RateLimitedLog refusedLog =
            new RateLimitedLog(LoggerFactory.getLogger(RouterService.class), 1, TimeUnit.SECONDS);

    private final SessionStore store;
    private final CometRegistry comets;
    private final long incarnation;
    private final RouterMeters.Calls meters;

    /** {@code incarnation}: this process's random start id, answered by Incarnation; refusals counted on {@code meters}. */
    RouterService(SessionStore store, CometRegistry comets, long incarnation, RouterMeters.Calls meters) {
        this.store = store;
        this.comets = comets;
        this.incarnation = incarnation;
        this.meters = meters;
    }

    @Override
    public void incarnation(Empty request, StreamObserver<IncarnationReply> out) {
        reply(out, IncarnationReply.newBuilder().setIncarnation(incarnation).build());
    }

    @Override
    public void ping(Empty request, StreamObserver<Empty> out) {
        reply(out, Empty.getDefaultInstance());
    }

    @Override
    public void put(PutReq req, StreamObserver<PutReply> out) {
        if (!validUser(req.getUserId(), out) || !validServer(req.getServer(), out) || !validRooms(req.getRoomKey(), out)
                || !validKey(req.getClientKey(), out)) {
            return;
        }
        // A put whose caller gave up (logic's deadline, which carries the comet's, passed
        // while it waited here: a router or machine under load) is not applied: nobody would
        // learn the seq, so nobody would ever delete the session, and it would be counted
        // online without a connection until the cleaner expires it.
        Context call = Context.current();
        if (call.isCancelled()) {
            abandon(out, "before it was applied");
            return;
        }
        int seq = store.put(req.getUserId(), req.getServer(), req.getRoomKey(), req.getClientKey(), req.getLoginId());
        if (seq == SessionShard.PUT_UNDONE) {
            // A repeat of a login that was undone meanwhile (or whose session is gone): the
            // comet gave up on it, so nothing is stored.
            abandon(out, "after it was undone (login " + Long.toHexString(req.getLoginId()) + "); nothing stored");
            return;
        }
        if (call.isCancelled()) {
            // Gave up while it was applied: undone, by its login id when it has one, so a
            // repeat of it stores nothing either. (A client key it took from another of the
            // user's connections is not given back; that one's next renew reclaims it.)
            if (req.getLoginId() != 0) {
                store.undo(req.getUserId(), req.getLoginId());
            } else {
                store.del(req.getUserId(), seq, req.getServer());
            }
            abandon(out, "while it was applied; undone");
            return;
        }
        reply(out, PutReply.newBuilder().setSeq(seq).build());
    }

    private void abandon(StreamObserver<?> out, String when) {
        meters.putsAbandoned().increment();
        try {
            out.onError(Status.CANCELLED.withDescription("the caller gave up on this put " + when).asRuntimeException());
        } catch (RuntimeException alreadyClosed) {
            // The call is gone already; there is nobody to tell.
        }
    }

    @Override
    public void keyServers(KeyServersReq req, StreamObserver<KeyServersReply> out) {
        KeyServersReply.Builder b = KeyServersReply.newBuilder();
        for (String key : req.getKeysList()) {
            int server = store.keyServer(key);
            if (server > 0) {
                b.addKeys(key).addServers(server);
            }
        }
        reply(out, b.build());
    }

    @Override
    public void del(DelReq req, StreamObserver<DelReply> out) {
        if (!validUser(req.getUserId(), out)) {
            return;
        }
        if (req.getSeq() == 0 && req.getLoginId() != 0) {
            // An undo: the login is named, its seq may not be known.
            reply(out, DelReply.newBuilder().setHas(store.undo(req.getUserId(), req.getLoginId())).build());
            return;
        }
        if (!validSeq(req.getSeq(), out) || req.getServer() != 0 && !validServer(req.getServer(), out)) {
            return;
        }
        reply(out, DelReply.newBuilder().setHas(store.del(req.getUserId(), req.getSeq(), req.getServer())).build());
    }

    @Override
    public void delServer(DelServerReq req, StreamObserver<DelServerReply> out) {
        if (!validServer(req.getServer(), out)) {
            return;
        }
        if (req.getAliveWindowMs() < 0) {
            refuse("alive_window_ms " + req.getAliveWindowMs() + " (expected: >= 0)", out);
            return;
        }
        SessionStore.DelServerResult r = store.delServer(req.getServer(),
                TimeUnit.MILLISECONDS.toNanos(req.getAliveWindowMs()));
        reply(out, DelServerReply.newBuilder()
                .setRemoved(r.removed())
                .setRefused(r.refused())
                .setLastHeardMsAgo(r.lastHeardNanosAgo() < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(r.lastHeardNanosAgo()))
                .build());
    }

    @Override
    public void allRoomCount(Empty req, StreamObserver<CounterReply> out) {
        reply(out, CounterReply.newBuilder().putAllRooms(store.allRoomCount()).build());
    }

    @Override
    public void allServerCount(Empty req, StreamObserver<CounterReply> out) {
        reply(out, CounterReply.newBuilder().putAllCounter(store.allServerCount()).build());
    }

    @Override
    public void get(GetReq req, StreamObserver<Session> out) {
        if (!validUser(req.getUserId(), out)) {
            return;
        }
        SessionShard.UserConns c = store.get(req.getUserId());
        reply(out, c == null ? Session.getDefaultInstance() : toProto(c));
    }

    @Override
    public void mGet(MGetReq req, StreamObserver<MGetReply> out) {
        MGetReply.Builder b = MGetReply.newBuilder().setIncarnation(incarnation);
        for (long userId : req.getUserIdsList()) {
            if (!validUser(userId, out)) {
                return;
            }
            SessionShard.UserConns c = store.get(userId);
            if (c != null) {
                b.addUserIds(userId).addSessions(toProto(c));
            }
        }
        reply(out, b.build());
    }

    @Override
    public void getAll(Empty req, StreamObserver<MGetReply> out) {
        MGetReply.Builder b = MGetReply.newBuilder().setIncarnation(incarnation);
        for (SessionShard.UserConns c : store.getAll()) {
            b.addUserIds(c.userId()).addSessions(toProto(c));
        }
        reply(out, b.build());
    }

    @Override
    public void count(Empty req, StreamObserver<CountReply> out) {
        reply(out, CountReply.newBuilder().setCount(store.count()).build());
    }

    @Override
    public void roomCount(RoomCountReq req, StreamObserver<CountReply> out) {
        reply(out, CountReply.newBuilder().setCount(store.roomCount(req.getRoomKey())).build());
    }

    @Override
    public void userCount(UserCountReq req, StreamObserver<CountReply> out) {
        if (!validUser(req.getUserId(), out)) {
            return;
        }
        reply(out, CountReply.newBuilder().setCount(store.userCount(req.getUserId())).build());
    }

    @Override
    public void touch(TouchReq req, StreamObserver<TouchReply> out) {
        int n = req.getUserIdsCount();
        boolean keyed = req.getClientKeysCount() > 0;
        if (keyed && req.getClientKeysCount() != n) {
            refuse("user_ids and client_keys have " + n + " and " + req.getClientKeysCount()
                    + " entries (expected: the same number, or no client_keys)", out);
            return;
        }
        if (req.getSeqsCount() != n || req.getRoomsCount() != n) {
            refuse("user_ids, seqs and rooms have " + n + ", " + req.getSeqsCount() + " and "
                    + req.getRoomsCount() + " entries (expected: the same number)", out);
            return;
        }
        if (!validServer(req.getServer(), out)) {
            return;
        }
        for (int i = 0; i < n; i++) {
            if (!validUser(req.getUserIds(i), out) || !validSeq(req.getSeqs(i), out) || !validRooms(req.getRooms(i), out)
                    || keyed && !validKey(req.getClientKeys(i), out)) {
                return;
            }
        }
        TouchReply.Builder b = TouchReply.newBuilder();
        int refreshed = 0;
        int relearned = 0;
        for (int i = 0; i < n; i++) {
            String key = keyed ? req.getClientKeys(i) : null;
            switch (store.touch(req.getUserIds(i), req.getSeqs(i), req.getServer(), req.getRooms(i), key)) {
                case REFRESHED -> refreshed++;
                case RELEARNED -> relearned++;
                // ENDED: deleted moments ago by a Disconnect this renew crossed; the comet closes it.
                case CONFLICT, ENDED -> b.addConflictUserIds(req.getUserIds(i)).addConflictSeqs(req.getSeqs(i));
            }
        }
        reply(out, b.setRefreshed(refreshed).setRelearned(relearned).build());
    }

    @Override
    public void announce(CometInstance req, StreamObserver<Empty> out) {
        String problem = Announcements.problem(req);
        if (problem != null) {
            refuse(problem, out);
            return;
        }
        if (comets.announce(req) == CometRegistry.Announced.FULL) {
            meters.announcementsRefused().increment();
            refusedLog.warn("announcement of comet {} refused: the router holds its bound of comets", req.getServer());
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription("this router holds its bound of comets")
                    .asRuntimeException());
            return;
        }
        reply(out, Empty.getDefaultInstance());
    }

    @Override
    public void withdraw(WithdrawReq req, StreamObserver<Empty> out) {
        if (!validServer(req.getServer(), out)) {
            return;
        }
        comets.withdraw(req.getServer(), req.getIncarnation());
        reply(out, Empty.getDefaultInstance());
    }

    @Override
    public void comets(Empty req, StreamObserver<CometsReply> out) {
        reply(out, CometsReply.newBuilder().addAllComets(comets.list()).build());
    }

    private static Session toProto(SessionShard.UserConns c) {
        Session.Builder b = Session.newBuilder();
        for (int i = 0; i < c.seqs().length; i++) {
            b.addSeqs(c.seqs()[i]).addServers(c.servers()[i]);
            if (c.clientKeys() != null) {
                b.addClientKeys(c.clientKeys()[i]);
            }
        }
        return b.build();
    }

    private boolean validUser(long userId, StreamObserver<?> out) {
        return check(userId >= 0, "user id " + userId + " (expected: >= 0)", out);
    }

    private boolean validSeq(int seq, StreamObserver<?> out) {
        return check(seq > 0, "seq " + seq + " (expected: > 0)", out);
    }

    /** Longest client key accepted; logic refuses longer ones at login. */
    static final int MAX_KEY_LENGTH = 256;

    private boolean validKey(String key, StreamObserver<?> out) {
        return check(key.length() <= MAX_KEY_LENGTH, "client key of " + key.length() + " chars (expected: at most "
                + MAX_KEY_LENGTH + ")", out);
    }

    private boolean validServer(int server, StreamObserver<?> out) {
        return check(server > 0, "server " + server + " (expected: a comet id > 0)", out);
    }

    private boolean validRooms(String rooms, StreamObserver<?> out) {
        String problem = RoomKeys.invalidSet(rooms);
        return check(problem == null, problem + " (expected: room keys separated by '\\n', or empty for none)", out);
    }

    private boolean check(boolean ok, String problem, StreamObserver<?> out) {
        if (!ok) {
            refuse(problem, out);
        }
        return ok;
    }

    private void refuse(String problem, StreamObserver<?> out) {
        meters.invalidArguments().increment();
        refusedLog.warn("router call refused: {}", problem);
        out.onError(invalid(problem));
    }

    private static RuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }

    private static <T> void reply(StreamObserver<T> out, T value) {
        out.onNext(value);
        out.onCompleted();
    }
}
