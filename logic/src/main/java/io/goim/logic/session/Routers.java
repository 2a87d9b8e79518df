package io.goim.logic.session;

import io.goim.logic.LogicMeters;
import io.goim.logic.PushRefused;
import java.util.function.IntFunction;
import io.grpc.ClientInterceptor;
import io.goim.libs.admin.Readiness;
import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.Futures;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.grpc.HealthChecks;
import io.goim.libs.grpc.PeerAuth;
import io.goim.libs.hash.Ketama;
import io.goim.protocol.SubKey;
import io.goim.proto.CounterReply;
import io.goim.proto.DelReq;
import io.goim.proto.DelServerReply;
import io.goim.proto.DelServerReq;
import io.goim.proto.Empty;
import io.goim.proto.KeyServersReply;
import io.goim.proto.KeyServersReq;
import io.goim.proto.MGetReply;
import io.goim.proto.MGetReq;
import io.goim.proto.PutReq;
import io.goim.proto.RouterGrpc;
import io.goim.proto.Session;
import io.goim.proto.TouchReply;
import io.goim.proto.TouchReq;
import io.goim.proto.UserCountReq;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The router tier as logic's {@link SessionStore} (the default, {@code logic.session.store =
 * router}): one gRPC channel per configured router, a ketama ring
 * that places each user id on one of them, and the calls logic makes, all asynchronous
 * with a deadline. Lookups of many users send one MGet per router, in parallel.
 *
 * <p>Thread-safe.
 */
public final class Routers implements SessionStore {
    private final Map<Integer, ManagedChannel> channels = new LinkedHashMap<>();
    private final Map<Integer, RouterGrpc.RouterFutureStub> stubs = new LinkedHashMap<>();
    private final Ketama<Integer> ring;
    private final Duration timeout;
    private final Map<Integer, HostPort> routerAddresses;
    private final RouterComets directory;

    /**
     * Calls are timed and counted per router by {@code callMeters} ({@link LogicMeters#routerCalls}), and
     * authenticated as {@code auth} says.
     */
    public Routers(Map<Integer, HostPort> routers, Duration timeout, IntFunction<ClientInterceptor> callMeters, PeerAuth auth) {
        this.timeout = timeout;
        this.routerAddresses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(routers));
        Map<String, Integer> nodes = new HashMap<>();
        for (Map.Entry<Integer, HostPort> e : routers.entrySet()) {
            ManagedChannel ch = GrpcChannels.channelDirect(e.getValue(), auth);
            channels.put(e.getKey(), ch);
            stubs.put(e.getKey(), RouterGrpc.newFutureStub(ch)
                    .withInterceptors(callMeters.apply(e.getKey())));
            nodes.put(Integer.toString(e.getKey()), e.getKey());
        }
        ring = new Ketama<>(nodes, Ketama.DEFAULT_POINTS);
        directory = new RouterComets(stubs.keySet(), this::stub);
    }

    @Override
    public CometDirectory directory() {
        return directory;
    }

    /** Id of the router that owns {@code userId}. */
    int routerOf(long userId) {
        return ring.node(userId);
    }

    @Override
    public int shardOf(long userId) {
        return routerOf(userId);
    }

    @Override
    public int shardCount() {
        return stubs.size();
    }

    @Override
    public String shardName(int shard) {
        return "router " + shard;
    }

    @Override
    public String describe() {
        return "routers " + routerAddresses;
    }

    private RouterGrpc.RouterFutureStub stub(int routerId) {
        return stubs.get(routerId).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Registers a connection in the user's router; completes with its seq. */
    @Override
    public CompletableFuture<Integer> put(long userId, int server, String room, String clientKey, long loginId) {
        PutReq req = PutReq.newBuilder().setUserId(userId).setServer(server).setRoomKey(room).setClientKey(clientKey)
                .setLoginId(loginId).build();
        return Futures.of(stub(routerOf(userId)).put(req)).thenApply(r -> r.getSeq());
    }

    /** One KeyServers call to every router, in parallel: a client key may be on any of them. */
    @Override
    public CompletableFuture<Map<Integer, List<String>>> lookupClientKeys(Collection<String> clientKeys) {
        KeyServersReq req = KeyServersReq.newBuilder().addAllKeys(clientKeys).build();
        List<CompletableFuture<KeyServersReply>> calls = new ArrayList<>();
        for (int id : stubs.keySet()) {
            calls.add(Futures.of(stub(id).keyServers(req)));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, Integer> where = new LinkedHashMap<>();
            for (CompletableFuture<KeyServersReply> call : calls) {
                KeyServersReply r = call.join();
                for (int i = 0; i < r.getKeysCount(); i++) {
                    where.put(r.getKeys(i), r.getServers(i)); // a key on two routers (a relogin racing): either comet is fine
                }
            }
            Map<Integer, List<String>> byServer = new HashMap<>();
            where.forEach((key, server) -> byServer.computeIfAbsent(server, s -> new ArrayList<>()).add(key));
            return byServer;
        });
    }

    /** How many connections the user's router holds for {@code userId}. */
    @Override
    public CompletableFuture<Integer> userCount(long userId) {
        UserCountReq req = UserCountReq.newBuilder().setUserId(userId).build();
        return Futures.of(stub(routerOf(userId)).userCount(req)).thenApply(r -> r.getCount());
    }

    /** Removes a connection from the user's router; completes with whether it was known. */
    @Override
    public CompletableFuture<Boolean> del(long userId, int seq, String rooms, int server) {
        // The router remembers the rooms.
        DelReq req = DelReq.newBuilder().setUserId(userId).setSeq(seq).setServer(server).build();
        return Futures.of(stub(routerOf(userId)).del(req)).thenApply(r -> r.getHas());
    }

    /** A Del naming the login instead of a seq, to the user's router. */
    @Override
    public CompletableFuture<Boolean> undo(long userId, long loginId) {
        DelReq req = DelReq.newBuilder().setUserId(userId).setLoginId(loginId).build();
        return Futures.of(stub(routerOf(userId)).del(req)).thenApply(r -> r.getHas());
    }

    /** Every router's incarnation, 0 for one that did not answer within the deadline; never fails. */
    @Override
    public CompletableFuture<Map<Integer, Long>> incarnations() {
        Map<Integer, CompletableFuture<Long>> calls = new LinkedHashMap<>();
        for (int id : stubs.keySet()) {
            calls.put(id, Futures.of(stub(id).incarnation(Empty.getDefaultInstance()))
                    .handle((r, e) -> e == null ? r.getIncarnation() : 0L));
        }
        return CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<Integer, Long> out = new HashMap<>();
            calls.forEach((id, call) -> out.put(id, call.join()));
            return out;
        });
    }

    /** See {@link Lookup}. */
    @Override
    public CompletableFuture<Lookup> lookup(Collection<Long> userIds) {
        Map<Integer, MGetReq.Builder> perRouter = new HashMap<>();
        for (long userId : userIds) {
            perRouter.computeIfAbsent(routerOf(userId), r -> MGetReq.newBuilder()).addUserIds(userId);
        }
        Map<Integer, CompletableFuture<MGetReply>> calls = new HashMap<>();
        for (Map.Entry<Integer, MGetReq.Builder> e : perRouter.entrySet()) {
            calls.put(e.getKey(), Futures.of(stub(e.getKey()).mGet(e.getValue().build())));
        }
        return CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<Integer, List<String>> byServer = new HashMap<>();
            Map<Integer, Long> incarnations = new HashMap<>();
            for (Map.Entry<Integer, CompletableFuture<MGetReply>> call : calls.entrySet()) {
                MGetReply reply = call.getValue().join();
                incarnations.put(call.getKey(), reply.getIncarnation());
                for (int i = 0; i < reply.getUserIdsCount(); i++) {
                    long userId = reply.getUserIds(i);
                    Session s = reply.getSessions(i);
                    boolean keyed = s.getClientKeysCount() == s.getSeqsCount();
                    for (int j = 0; j < s.getSeqsCount(); j++) {
                        // A connection whose client chose its key is held under that key by its comet.
                        String key = keyed && !s.getClientKeys(j).isEmpty() ? s.getClientKeys(j)
                                : SubKey.encode(userId, s.getSeqs(j));
                        byServer.computeIfAbsent(s.getServers(j), k -> new ArrayList<>()).add(key);
                    }
                }
            }
            return new Lookup(byServer, incarnations);
        });
    }

    /**
     * Vouches for open connections of comet {@code server}: one Touch per router that
     * owns some of them, in parallel. {@code rooms.get(i)} is the room set of {@code keys.get(i)}.
     */
    @Override
    public CompletableFuture<Renewed> touch(int server, List<SubKey> keys, List<String> rooms, List<String> clientKeys) {
        Map<Integer, TouchReq.Builder> perRouter = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            SubKey k = keys.get(i);
            TouchReq.Builder b = perRouter.computeIfAbsent(routerOf(k.userId()), r -> TouchReq.newBuilder().setServer(server))
                    .addUserIds(k.userId()).addSeqs(k.seq()).addRooms(rooms.get(i));
            if (!clientKeys.isEmpty()) {
                b.addClientKeys(clientKeys.get(i));
            }
        }
        List<CompletableFuture<TouchReply>> calls = new ArrayList<>();
        for (Map.Entry<Integer, TouchReq.Builder> e : perRouter.entrySet()) {
            calls.add(Futures.of(stub(e.getKey()).touch(e.getValue().build())));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> {
            int refreshed = 0;
            int relearned = 0;
            List<String> conflicts = new ArrayList<>();
            for (CompletableFuture<TouchReply> call : calls) {
                TouchReply r = call.join();
                refreshed += r.getRefreshed();
                relearned += r.getRelearned();
                for (int i = 0; i < r.getConflictUserIdsCount(); i++) {
                    conflicts.add(SubKey.encode(r.getConflictUserIds(i), r.getConflictSeqs(i)));
                }
            }
            return new Renewed(refreshed, relearned, conflicts);
        });
    }

    /**
     * Forgets comet {@code server} in every router, or, when a router heard from it (a
     * renew or a login) within {@code aliveWindow} (zero: no check), fails with
     * {@link PushRefused} ({@link PushRefused.Reason#COMET_ALIVE}) saying when. Each router decides on its own: one that
     * heard from a live comet refuses, and one that did not holds none of its sessions
     * (a live comet renews every session it has, on every router, each renew round).
     */
    @Override
    public CompletableFuture<Void> delServer(int server, Duration aliveWindow) {
        DelServerReq req = DelServerReq.newBuilder().setServer(server).setAliveWindowMs(aliveWindow.toMillis()).build();
        Map<Integer, CompletableFuture<DelServerReply>> calls = new java.util.TreeMap<>();
        for (int id : stubs.keySet()) {
            calls.put(id, Futures.of(stub(id).delServer(req)));
        }
        return CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            long freshest = Long.MAX_VALUE;
            int by = 0;
            for (Map.Entry<Integer, CompletableFuture<DelServerReply>> e : calls.entrySet()) {
                DelServerReply r = e.getValue().join();
                if (r.getRefused() && r.getLastHeardMsAgo() < freshest) {
                    freshest = r.getLastHeardMsAgo();
                    by = e.getKey();
                }
            }
            if (by != 0) {
                throw new PushRefused(PushRefused.Reason.COMET_ALIVE, "comet " + server + " renewed or logged a user in "
                        + TimeUnit.MILLISECONDS.toSeconds(freshest) + " s ago (router " + by + "; within "
                        + "logic.server-del-alive-window = " + aliveWindow.toSeconds() + " s): it looks alive, and"
                        + " forgetting it would make its users unreachable until its next renew. If it is down,"
                        + " repeat with force=1", null);
            }
            return null;
        });
    }

    /** Ready when every router reports SERVING on its gRPC health service within {@code deadline}. */
    @Override
    public CompletableFuture<Readiness> ready(Duration deadline) {
        List<CompletableFuture<Readiness>> checks = new ArrayList<>();
        for (Map.Entry<Integer, RouterGrpc.RouterFutureStub> e : stubs.entrySet()) {
            checks.add(HealthChecks.readiness("router " + e.getKey(), e.getValue().getChannel(),
                    RouterGrpc.SERVICE_NAME, deadline));
        }
        return Readiness.all(checks);
    }

    /** Connections per room key, summed over every router. */
    @Override
    public CompletableFuture<Map<String, Integer>> allRoomCount() {
        return sumCounters(true, CounterReply::getRoomsMap);
    }

    /** Connections per comet server, summed over every router. */
    @Override
    public CompletableFuture<Map<Integer, Integer>> allServerCount() {
        return sumCounters(false, CounterReply::getCounterMap);
    }

    private <K> CompletableFuture<Map<K, Integer>> sumCounters(boolean rooms,
            java.util.function.Function<CounterReply, Map<K, Integer>> counter) {
        List<CompletableFuture<CounterReply>> calls = new ArrayList<>();
        for (int id : stubs.keySet()) {
            RouterGrpc.RouterFutureStub s = stub(id);
            calls.add(Futures.of(rooms ? s.allRoomCount(Empty.getDefaultInstance())
                    : s.allServerCount(Empty.getDefaultInstance())));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<K, Integer> sum = new HashMap<>();
            for (CompletableFuture<CounterReply> c : calls) {
                counter.apply(c.join()).forEach((k, n) -> sum.merge(k, n, Integer::sum));
            }
            return sum;
        });
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel ch : channels.values()) {
            GrpcChannels.close(ch, Duration.ofSeconds(2));
        }
    }
}
