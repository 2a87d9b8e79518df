package io.goim.logic;

import io.goim.logic.discovery.DiscoveryCalls;
import io.goim.logic.session.Counts;
import io.goim.logic.session.LoginUndos;
import io.goim.logic.session.RouterEpochs;
import io.goim.logic.session.SessionStore;
import io.goim.protocol.RoomKeys;
import io.goim.libs.log.RateLimitedLog;
import io.goim.protocol.SubKey;
import io.goim.proto.CometInstance;
import io.goim.proto.CometsReply;
import io.goim.proto.ConnectReply;
import io.goim.proto.ConnectReq;
import io.goim.proto.DisconnectReply;
import io.goim.proto.DisconnectReq;
import io.goim.proto.Empty;
import io.goim.proto.LogicGrpc;
import io.goim.proto.RenewOnlineReply;
import io.goim.proto.RenewOnlineReq;
import io.goim.proto.RenewReply;
import io.goim.proto.RenewReq;
import io.goim.proto.RouterEpochReply;
import io.goim.proto.UndoReply;
import io.goim.proto.UndoReq;
import io.goim.proto.WithdrawReq;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connect, Disconnect and Renew for comets. Connect authenticates the token, registers
 * the connection in the user's router and answers with the subKey; Disconnect removes
 * it; Renew vouches for a comet's open connections so routers keep (or relearn) them.
 * Router calls are asynchronous: no gRPC thread waits on them. Refused tokens answer
 * UNAUTHENTICATED, counted by the authenticator's reason in
 * {@code goim_logic_auth_refused_total{reason}} and logged at most once per second.
 *
 * <p>Session cap: a user already holding {@code maxSessionsPerUser} connections is refused
 * RESOURCE_EXHAUSTED ({@code goim_logic_session_cap_refused_total}); the comet closes the
 * new connection as for any failed login. The newest is refused rather than the oldest
 * evicted: evicting would let whoever holds a user's token (or a client stuck in a
 * reconnect loop) knock the user's working sessions off, one login at a time, and logic
 * has no way to close a connection on a comet; refusing leaves working sessions alone,
 * and a session whose client is gone frees its place when its comet disconnects it or,
 * after a comet crash, when the router expires it. The count is read from the user's
 * router before registering, so logins of one user that race each other can pass it
 * together: the cap can be exceeded by the number of that user's logins in flight at
 * once (the comets' login windows bound those).
 */
final class LogicService extends LogicGrpc.LogicImplBase {
    private static final Logger log = LoggerFactory.getLogger(LogicService.class);

    private final RateLimitedLog refusedLog = new RateLimitedLog(log, 1, TimeUnit.SECONDS);
    private final Authenticator auth;
    private final SessionStore routers;

    private final RouterEpochs epochs;
    private final int maxSessionsPerUser;
    private final LogicMeters.Logins meters;
    private final DiscoveryCalls discovery;
    private final Supplier<Map<String, Integer>> roomCounts;
    private final LoginUndos undos;
    private final Counter countsCorrected;

    /**
     * @param maxSessionsPerUser most connections of one user, 0 for no limit
     * @param roomCounts         the last cluster-wide room counts snapshot ({@link Counts})
     * @param undos              undoes logins in {@code routers}, retrying failed undos
     */
    LogicService(Authenticator auth, SessionStore routers, RouterEpochs epochs, int maxSessionsPerUser,
            Supplier<Map<String, Integer>> roomCounts, LoginUndos undos, LogicMeters meters) {
        this.auth = auth;
        this.undos = undos;
        this.countsCorrected = meters.countsCorrected;
        this.roomCounts = roomCounts;
        this.routers = routers;
        this.epochs = epochs;
        this.maxSessionsPerUser = maxSessionsPerUser;
        this.meters = meters.logins;
        this.discovery = new DiscoveryCalls(routers.directory(), meters.discoveryCalls);
    }

    @Override
    public void announce(CometInstance req, StreamObserver<Empty> out) {
        discovery.announce(req, out);
    }

    @Override
    public void withdraw(WithdrawReq req, StreamObserver<Empty> out) {
        discovery.withdraw(req, out);
    }

    @Override
    public void comets(Empty req, StreamObserver<CometsReply> out) {
        discovery.comets(out);
    }

    /**
     * goim v2's RenewOnline, from the last counts snapshot: a map lookup per room the comet
     * holds. The store counts every comet's connections per room itself; the comet's own
     * counts ({@code counted}) let a store whose counts can drift (Redis) correct them, and
     * such a call is answered once the correction ran (a script, within the store's
     * timeout), so the parts of a comet's split report reach the store in order.
     */
    @Override
    public void renewOnline(RenewOnlineReq req, StreamObserver<RenewOnlineReply> out) {
        Map<String, Integer> all = roomCounts.get();
        RenewOnlineReply.Builder reply = RenewOnlineReply.newBuilder();
        for (String room : req.getRoomCountMap().keySet()) {
            Integer n = all.get(room);
            if (n != null && n > 0) {
                reply.putAllRoomCount(room, n);
            }
        }
        if (!req.getCounted() || req.getServer() <= 0) {
            out.onNext(reply.build());
            out.onCompleted();
            return;
        }
        // Answered once the correction ran: a comet sends the parts of a split report one
        // after another, and each must reach the store before the next (through any logic).
        routers.correctCounts(req.getServer(), req.getRoomCountMap(), req.getConnections(),
                SessionStore.ReportPart.of(req.getAllRooms(), req.getRound(), req.getPart(), req.getParts()))
                .whenComplete((n, error) -> {
                    if (n != null && n > 0) {
                        countsCorrected.increment(n);
                        refusedLog.warn("corrected {} online count(s) of comet {} from its own (a count update"
                                + " was lost)", n, req.getServer());
                    } // a failure is counted and logged by the store; the next report tries again
                    out.onNext(reply.build());
                    out.onCompleted();
                });
    }

    /**
     * The identity behind {@code token}; null after answering {@code out} why not: a refused
     * token is counted and logged as "{@code what} refused (reason): message{@code consequence}",
     * a failing authenticator answered INTERNAL.
     */
    private Authenticator.Identity authenticate(String token, StreamObserver<?> out, Supplier<String> what,
            String consequence) {
        try {
            return auth.authenticate(token);
        } catch (Authenticator.AuthRefusedException e) {
            countRefused(e.reason());
            refusedLog.warn("{} refused ({}): {}{}", what.get(), e.reason(), e.getMessage(), consequence);
            out.onError(Status.UNAUTHENTICATED.withDescription(e.getMessage()).asRuntimeException());
        } catch (RuntimeException e) {
            log.error("authenticator failed", e);
            out.onError(Status.INTERNAL.withDescription("authenticator failed: " + e).asRuntimeException());
        }
        return null;
    }

    /** Counts a refused token under its reason (a small fixed set of words). */
    private void countRefused(String reason) {
        meters.authRefused().of(reason).increment();
    }

    /** From logic's cached view of the routers ({@link RouterEpochs}): answers at once. */
    @Override
    public void routerEpoch(Empty request, StreamObserver<RouterEpochReply> out) {
        out.onNext(RouterEpochReply.newBuilder().setEpoch(epochs.epoch()).build());
        out.onCompleted();
    }

    @Override
    public void ping(Empty request, StreamObserver<Empty> out) {
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void connect(ConnectReq req, StreamObserver<ConnectReply> out) {
        Context call = Context.current();
        Authenticator.Identity id = authenticate(req.getToken().toString(StandardCharsets.UTF_8), out,
                () -> "connect from comet " + req.getServer(), "");
        if (id == null) {
            return;
        }
        if (callerGone(call, out)) {
            meters.connectsAbandoned().increment(); // gave up while the token was checked: store nothing
            return;
        }
        if (maxSessionsPerUser <= 0) {
            register(req, id, call, out);
            return;
        }
        routers.userCount(id.userId()).whenComplete((count, error) -> {
            if (callerGone(call, out)) {
                meters.connectsAbandoned().increment(); // gave up while its sessions were counted: store nothing
            } else if (error != null) {
                out.onError(routerError("user count", error));
            } else if (count >= maxSessionsPerUser) {
                meters.sessionCapRefused().increment();
                refusedLog.warn("connect from comet {} refused: user {} holds {} sessions (logic.auth.max-sessions-per-user {})",
                        req.getServer(), id.userId(), count, maxSessionsPerUser);
                out.onError(Status.RESOURCE_EXHAUSTED.withDescription("user " + id.userId() + " holds " + count
                        + " sessions (at most " + maxSessionsPerUser + ")").asRuntimeException());
            } else {
                register(req, id, call, out);
            }
        });
    }

    /**
     * True when the comet no longer waits for this Connect (its deadline passed, or it went
     * away): it will never learn the session's key, so nothing may be stored for it, and
     * what was stored is deleted again (otherwise the session stays, counted online with no
     * connection behind it, until the store expires it).
     */
    private static boolean callerGone(Context call, StreamObserver<?> out) {
        // The call's context is cancelled at once (deadline, or the comet cancelled); the
        // observer learns it only once the handler's thread is free.
        return call.isCancelled() || out instanceof ServerCallStreamObserver<?> o && o.isCancelled();
    }

    private void register(ConnectReq req, Authenticator.Identity id, Context call, StreamObserver<ConnectReply> out) {
        if (callerGone(call, out)) {
            meters.connectsAbandoned().increment();
            return;
        }
        Authenticator.V2 v2 = id.v2();
        String clientKey = v2 == null ? "" : v2.key();
        long loginId = req.getLoginId();
        routers.put(id.userId(), req.getServer(), id.room(), clientKey, loginId).whenComplete((seq, error) -> {
            if (callerGone(call, out)) {
                // The comet's deadline (which the put inherits) passed, or it went away. A
                // put that failed for that reason was refused by the router or undone there
                // (RouterService.put); one that succeeded is deleted here.
                meters.connectsAbandoned().increment();
                if (loginId != 0) {
                    undos.undo(id.userId(), loginId, req.getServer()); // also stops a put of it still on its way
                } else if (error == null) {
                    undo(req.getServer(), id, seq);
                }
                return;
            }
            if (error != null) {
                if (loginId == 0) {
                    out.onError(routerError("put", error));
                    return;
                }
                // The put may have been applied all the same (a store too slow for its
                // deadline): undo it by its login id before answering, so that neither it
                // nor the comet's retry of this Connect (same login id, sent only after this
                // answer) leaves a session nobody holds. The answer waits for the retries
                // too: a retry that came after the comet's repeated Connect got the
                // session would delete the session of a live connection.
                undos.undo(id.userId(), loginId, req.getServer()).settled()
                        .whenComplete((has, undoError) -> out.onError(routerError("put", error)));
                return;
            }
            String subKey = SubKey.encode(id.userId(), seq);
            ConnectReply.Builder reply = ConnectReply.newBuilder()
                    .setKey(clientKey.isEmpty() ? subKey : clientKey)
                    .setRoomKey(id.room())
                    .setUserId(id.userId());
            if (v2 != null) {
                // A v2 login: filters operations; its session is named apart when its client chose the key.
                reply.setV2(true).addAllAccepts(v2.accepts());
                if (!clientKey.isEmpty()) {
                    reply.setSession(subKey);
                }
            }
            out.onNext(reply.build());
            out.onCompleted();
        });
    }

    /**
     * A login whose answer never reached its comet (its Connect ended DEADLINE_EXCEEDED
     * there): the comet knows the token and the login id it drew, not the session; the token
     * names the user again, and the login id the session. Answered after the first attempt:
     * when the store failed it, logic keeps retrying ({@code retrying}), so the comet's own
     * retries do not pile up on a store that is already behind.
     */
    @Override
    public void undo(UndoReq req, StreamObserver<UndoReply> out) {
        if (req.getLoginId() == 0) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("login_id 0 (expected: the login's non-zero id)")
                    .asRuntimeException());
            return;
        }
        Authenticator.Identity id = authenticate(req.getToken().toString(StandardCharsets.UTF_8), out,
                () -> "undo of login " + Long.toHexString(req.getLoginId()) + " from comet " + req.getServer(),
                "; its session, if stored, stays until the store expires it");
        if (id == null) {
            return;
        }
        LoginUndos.Undo undo = undos.undo(id.userId(), req.getLoginId(), req.getServer());
        undo.firstTry().whenComplete((has, error) -> {
            if (error != null) {
                out.onError(routerError("undo", error));
                return;
            }
            out.onNext(UndoReply.newBuilder().setHas(has).setRetrying(undo.retrying()).build());
            out.onCompleted();
        });
    }

    /** Deletes the session {@code seq} stored for a login its comet gave up on (a comet that names no login). */
    private void undo(int server, Authenticator.Identity id, int seq) {
        // Outside the abandoned call's context: a call made in it would be cancelled with it.
        Context.current().fork().run(() -> routers.del(id.userId(), seq, id.room(), server).whenComplete((has, error) -> {
            if (error != null) {
                refusedLog.warn("could not delete session {}_{} of a login comet {} gave up on (the store expires it): {}",
                        id.userId(), seq, server, error.toString());
            }
        }));
    }

    @Override
    public void disconnect(DisconnectReq req, StreamObserver<DisconnectReply> out) {
        SubKey key;
        try {
            key = SubKey.decode(req.getKey());
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        // Only the connection this comet holds: never another comet's connection of that subKey.
        routers.del(key.userId(), key.seq(), req.getRooms(), req.getServer()).whenComplete((has, error) -> {
            if (error != null) {
                out.onError(routerError("del", error));
                return;
            }
            out.onNext(DisconnectReply.newBuilder().setHas(has).build());
            out.onCompleted();
        });
    }

    @Override
    public void renew(RenewReq req, StreamObserver<RenewReply> out) {
        if (req.getRoomsCount() != req.getKeysCount()) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("keys and rooms have " + req.getKeysCount()
                    + " and " + req.getRoomsCount() + " entries (expected: the same number)").asRuntimeException());
            return;
        }
        for (String rooms : req.getRoomsList()) {
            String problem = RoomKeys.invalidSet(rooms);
            if (problem != null) {
                out.onError(Status.INVALID_ARGUMENT.withDescription("rooms: " + problem
                        + " (expected: room keys separated by '\\n', or empty for none)").asRuntimeException());
                return;
            }
        }
        if (req.getClientKeysCount() != 0 && req.getClientKeysCount() != req.getKeysCount()) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("keys and client_keys have " + req.getKeysCount()
                    + " and " + req.getClientKeysCount() + " entries (expected: the same number, or no client_keys)")
                    .asRuntimeException());
            return;
        }
        List<SubKey> keys = new ArrayList<>(req.getKeysCount());
        try {
            for (String k : req.getKeysList()) {
                keys.add(SubKey.decode(k));
            }
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        routers.touch(req.getServer(), keys, req.getRoomsList(), req.getClientKeysList()).whenComplete((r, error) -> {
            if (error != null) {
                out.onError(routerError("touch", error));
                return;
            }
            out.onNext(RenewReply.newBuilder()
                    .setRefreshed(r.refreshed())
                    .setRelearned(r.relearned())
                    .addAllConflicts(r.conflicts())
                    .build());
            out.onCompleted();
        });
    }

    /** A router failure as a Status the comet can act on (retry on UNAVAILABLE). */
    private static RuntimeException routerError(String call, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        Status s = Status.fromThrowable(cause);
        if (s.getCode() == Status.Code.UNKNOWN) {
            s = Status.INTERNAL;
        }
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            s = Status.UNAVAILABLE.withDescription(s.getDescription()); // keep "deadline exceeded after …"
        }
        return s.withDescription("router " + call + " failed: " + s.getDescription()).asRuntimeException();
    }
}
