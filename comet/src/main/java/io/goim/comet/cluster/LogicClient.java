package io.goim.comet.cluster;

import io.goim.comet.session.LoginWindow;
import com.google.protobuf.ByteString;
import io.goim.libs.admin.Readiness;
import io.goim.libs.admin.RpcMetrics;
import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.CallIds;
import io.goim.libs.grpc.Futures;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.grpc.HealthChecks;
import io.goim.libs.grpc.PeerAuth;
import io.goim.proto.CometInstance;
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
import io.goim.proto.UndoReply;
import io.goim.proto.UndoReq;
import io.goim.proto.WithdrawReq;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Comet's calls to logic, asynchronous with a deadline; futures complete on the channel's network thread,
 * so callers hop back to their event loop before touching a channel.
 *
 * <p>Thread-safe.
 */
public final class LogicClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final LogicGrpc.LogicFutureStub stub;
    private final Duration timeout;
    private final int serverId;

    /**
     * A client of every logic in {@code addresses}: with several, gRPC spreads calls over the ones
     * that are up and a call whose logic went away under it is retried once on another
     * (see {@link GrpcChannels#channel(List, String, boolean, PeerAuth)}); every Logic method may be repeated:
     * a repeated Connect carries the same login id and gets the session the first one stored.
     */
    public LogicClient(List<HostPort> addresses, Duration timeout, int serverId) {
        this.channel = channel(addresses, PeerAuth.NONE);
        this.stub = LogicGrpc.newFutureStub(channel);
        this.timeout = timeout;
        this.serverId = serverId;
    }

    /**
     * Calls are timed and counted in {@code registry} with {@code peer="logic"} (see {@link RpcMetrics});
     * every call authenticated as {@code auth} says.
     */
    public LogicClient(List<HostPort> addresses, Duration timeout, int serverId, MeterRegistry registry, PeerAuth auth) {
        this.channel = channel(addresses, auth);
        this.stub = LogicGrpc.newFutureStub(channel).withInterceptors(RpcMetrics.interceptor(registry, "logic"));
        this.timeout = timeout;
        this.serverId = serverId;
    }

    private static ManagedChannel channel(List<HostPort> addresses, PeerAuth auth) {
        return GrpcChannels.channelDirect(addresses, LogicGrpc.SERVICE_NAME, true, auth);
    }

    /**
     * Ready when a logic reports SERVING on its gRPC health service within {@code deadline}:
     * with several, round_robin sends the check to one that is up.
     */
    public CompletableFuture<Readiness> ready(Duration deadline) {
        return HealthChecks.readiness("logic", stub.getChannel(), LogicGrpc.SERVICE_NAME, deadline);
    }

    public CompletableFuture<ConnectReply> connect(byte[] token) {
        return connect(token, timeout);
    }

    /**
     * Connect with its own {@code deadline}: the login window waits logic-timeout for the
     * answer but lets the call run longer, so that a late answer is still heard and its
     * session undone ({@link LoginWindow}).
     */
    public CompletableFuture<ConnectReply> connect(byte[] token, Duration deadline) {
        return connect(token, deadline, CallIds.next());
    }

    /**
     * As {@link #connect(byte[], Duration)} for login {@code loginId} (random, non-zero: see
     * {@link CallIds#next()}), which the caller keeps to {@link #undo} the login if the
     * answer never comes.
     */
    public CompletableFuture<ConnectReply> connect(byte[] token, Duration deadline, long loginId) {
        // A login id per login, the same on the channel's retry of this call: a repeated
        // Connect gets the session the first stored, and one logic undid stores nothing.
        ConnectReq req = ConnectReq.newBuilder().setToken(ByteString.copyFrom(token)).setServer(serverId)
                .setLoginId(loginId).build();
        return Futures.of(stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).connect(req));
    }

    /** Undoes login {@code loginId} of {@code token}, whose Connect got no answer (Logic.Undo). */
    CompletableFuture<UndoReply> undo(byte[] token, long loginId) {
        UndoReq req = UndoReq.newBuilder().setToken(ByteString.copyFrom(token)).setServer(serverId)
                .setLoginId(loginId).build();
        return Futures.of(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).undo(req));
    }

    /** {@code rooms}: the room set the connection was in. */
    CompletableFuture<DisconnectReply> disconnect(String key, String rooms) {
        DisconnectReq req = DisconnectReq.newBuilder().setKey(key).setRooms(rooms).setServer(serverId).build();
        return Futures.of(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).disconnect(req));
    }

    /** Vouches for connections this comet holds; {@code rooms} (room sets) has the length of {@code keys}. */
    CompletableFuture<RenewReply> renew(List<String> keys, List<String> rooms) {
        return renew(keys, rooms, List.of());
    }

    /** As {@link #renew(List, List)}; {@code clientKeys}: empty, or each connection's client key ("" for none). */
    CompletableFuture<RenewReply> renew(List<String> keys, List<String> rooms, List<String> clientKeys) {
        RenewReq req = RenewReq.newBuilder().setServer(serverId).addAllKeys(keys).addAllRooms(rooms)
                .addAllClientKeys(clientKeys).build();
        return Futures.of(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).renew(req));
    }

    /** Announces this comet (Logic.Announce); see {@link CometAnnouncer}. */
    /** goim v2's RenewOnline: this comet's room counts out, the cluster-wide counts of those rooms back. */
    CompletableFuture<RenewOnlineReply> renewOnline(Map<String, Integer> roomCount) {
        RenewOnlineReq req = RenewOnlineReq.newBuilder().setServer(serverId).putAllRoomCount(roomCount).build();
        return Futures.of(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).renewOnline(req));
    }

    /**
     * As {@link #renewOnline(Map)}, with this comet's own counts: {@code roomCount} its
     * connections per room, {@code connections} its total; the call is {@code part}
     * (1-based) of the {@code parts} calls of report {@code round}, which together list
     * every room it has. A session store whose counts can drift (Redis) corrects them from these.
     */
    CompletableFuture<RenewOnlineReply> renewOnline(Map<String, Integer> roomCount, int connections, long round,
            int part, int parts) {
        RenewOnlineReq req = RenewOnlineReq.newBuilder().setServer(serverId).putAllRoomCount(roomCount)
                .setCounted(true).setConnections(connections).setAllRooms(parts == 1)
                .setRound(round).setPart(part).setParts(parts).build();
        return Futures.of(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).renewOnline(req));
    }

    public CompletableFuture<Empty> announce(CometInstance instance) {
        return Futures.of(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).announce(instance));
    }

    /** Withdraws this comet's announcement of {@code incarnation} (Logic.Withdraw). */
    public CompletableFuture<Empty> withdraw(long incarnation) {
        WithdrawReq req = WithdrawReq.newBuilder().setServer(serverId).setIncarnation(incarnation).build();
        return Futures.of(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).withdraw(req));
    }

    /** The routers' epoch (Logic.RouterEpoch); see {@link RouterEpochWatch}. */
    public CompletableFuture<Long> routerEpoch() {
        return Futures.of(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .routerEpoch(Empty.getDefaultInstance())).thenApply(r -> r.getEpoch());
    }

    @Override
    public void close() throws InterruptedException {
        GrpcChannels.close(channel, Duration.ofSeconds(2));
    }
}
