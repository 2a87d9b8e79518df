package io.goim.comet;

import io.goim.protocol.RoomKeys;
import io.goim.proto.ConnectReply;
import io.goim.proto.ConnectReq;
import io.goim.proto.DisconnectReply;
import io.goim.proto.DisconnectReq;
import io.goim.proto.LogicGrpc;
import io.goim.proto.RenewReply;
import io.goim.proto.RenewReq;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small logic for comet tests, served by a real gRPC server on loopback. Auth follows
 * goim's default rule (a decimal token is the user id, in room 1; anything else is user 0
 * in no room); a token {@code "<user>:<room>"} picks the room. Quotes around the token
 * (a WebSocket JSON string body) are ignored. Disconnects are recorded, and the first
 * {@link #failDisconnects} of them fail with UNAVAILABLE.
 */
public final class FakeLogic extends LogicGrpc.LogicImplBase implements AutoCloseable {
    final LinkedBlockingQueue<String> disconnects = new LinkedBlockingQueue<>();
    /** The subKey of every accepted connection, in order. */
    final LinkedBlockingQueue<String> connects = new LinkedBlockingQueue<>();
    final AtomicInteger failDisconnects = new AtomicInteger();
    /** When above 0, Connect answers this many milliseconds after it stored the session (a logic under load). */
    public volatile long connectDelayMillis;
    /** While set, Connect stores the session and never answers (the answer lost on the way). */
    public volatile boolean connectAnswersLost;
    /** The login id of every Connect, in order. */
    public final LinkedBlockingQueue<Long> loginIds = new LinkedBlockingQueue<>();
    /** Every Undo: "<token> <login id in hex>", in order. */
    public final LinkedBlockingQueue<String> undos = new LinkedBlockingQueue<>();
    /** The last RenewOnline request. */
    public final java.util.concurrent.atomic.AtomicReference<io.goim.proto.RenewOnlineReq> lastRenewOnline =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** The last room set comet reported for each subKey (Renew: renew rounds and room changes). */
    public final Map<String, String> renewedRooms = new ConcurrentHashMap<>();
    /** The room set each disconnected subKey was in. */
    public final Map<String, String> disconnectedRooms = new ConcurrentHashMap<>();
    private final AtomicInteger seq = new AtomicInteger();
    private final Server server;
    private final java.util.concurrent.ScheduledExecutorService late =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fake-logic-late");
                t.setDaemon(true);
                return t;
            });

    public FakeLogic() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build().start();
    }

    /** The key logic gave user {@code userId}'s next connection (keys of other users are skipped). */
    public String nextKey(long userId) throws InterruptedException {
        return next(connects, userId + "_", "connect of user " + userId);
    }

    /** Waits until logic was told that {@code key} disconnected. */
    public void awaitDisconnect(String key) throws InterruptedException {
        next(disconnects, key, "disconnect of " + key);
    }

    private static String next(LinkedBlockingQueue<String> queue, String prefix, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String k = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (k == null) {
                throw new AssertionError("no " + what + " within 30 s");
            }
            if (k.startsWith(prefix)) {
                return k;
            }
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void connect(ConnectReq req, StreamObserver<ConnectReply> out) {
        String token = req.getToken().toString(StandardCharsets.UTF_8).trim().replace("\"", "");
        long user = 0;
        int room = -1;
        try {
            String[] parts = token.split(":");
            user = Long.parseLong(parts[0]);
            room = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
        } catch (NumberFormatException e) {
            // goim's default: not a number → user 0, no room
        }
        String key = user + "_" + seq.incrementAndGet();
        loginIds.add(req.getLoginId());
        connects.add(key);
        if (connectAnswersLost) {
            return; // stored; the comet's deadline passes before any answer reaches it
        }
        ConnectReply reply = ConnectReply.newBuilder().setUserId(user).setRoomKey(RoomKeys.ofV1(room)).setKey(key).build();
        long delay = connectDelayMillis;
        if (delay <= 0) {
            out.onNext(reply);
            out.onCompleted();
            return;
        }
        late.schedule(() -> {
            try {
                out.onNext(reply);
                out.onCompleted();
            } catch (RuntimeException e) {
                // The caller gave up (its deadline passed): the answer goes nowhere.
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void disconnect(DisconnectReq req, StreamObserver<DisconnectReply> out) {
        if (failDisconnects.getAndDecrement() > 0) {
            out.onError(Status.UNAVAILABLE.withDescription("logic restarting").asRuntimeException());
            return;
        }
        disconnectedRooms.put(req.getKey(), req.getRooms());
        disconnects.add(req.getKey());
        out.onNext(DisconnectReply.newBuilder().setHas(true).build());
        out.onCompleted();
    }

    /** Records each connection's room set and vouches for every one. */
    @Override
    public void renew(RenewReq req, StreamObserver<RenewReply> out) {
        for (int i = 0; i < req.getKeysCount(); i++) {
            renewedRooms.put(req.getKeys(i), req.getRooms(i));
        }
        out.onNext(RenewReply.newBuilder().setRefreshed(req.getKeysCount()).build());
        out.onCompleted();
    }

    /** What RenewOnline answers: room key to its cluster-wide count; empty by default. */
    public final Map<String, Integer> allRoomCount = new ConcurrentHashMap<>();
    /** The room counts of the last RenewOnline call. */
    public final java.util.concurrent.atomic.AtomicReference<Map<String, Integer>> renewedOnline =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** RenewOnline fails with UNAVAILABLE while set. */
    public volatile boolean failRenewOnline;

    @Override
    public void renewOnline(io.goim.proto.RenewOnlineReq req, StreamObserver<io.goim.proto.RenewOnlineReply> out) {
        renewedOnline.set(Map.copyOf(req.getRoomCountMap()));
        lastRenewOnline.set(req);
        if (failRenewOnline) {
            out.onError(io.grpc.Status.UNAVAILABLE.withDescription("failing on purpose").asRuntimeException());
            return;
        }
        out.onNext(io.goim.proto.RenewOnlineReply.newBuilder().putAllAllRoomCount(allRoomCount).build());
        out.onCompleted();
    }

    @Override
    public void undo(io.goim.proto.UndoReq req, StreamObserver<io.goim.proto.UndoReply> out) {
        undos.add(req.getToken().toString(StandardCharsets.UTF_8) + " " + Long.toHexString(req.getLoginId()));
        out.onNext(io.goim.proto.UndoReply.newBuilder().setHas(true).build());
        out.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        late.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
