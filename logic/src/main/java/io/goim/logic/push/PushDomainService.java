package io.goim.logic.push;

import io.goim.logic.PushRefused;
import io.goim.logic.session.LookupBatcher;
import io.goim.logic.session.RouterEpochs;
import io.goim.logic.session.SessionStore;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.RetriableException;
import io.goim.protocol.RoomKeys;
import com.google.protobuf.ByteString;
import io.goim.protocol.Op;
import io.goim.protocol.SubKey;
import io.grpc.Status;
import io.goim.proto.PushMsg;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * What the HTTP API does once a request is understood: find the targets in the session
 * store (concurrent requests' lookups merged, {@link LookupBatcher}) and write the Kafka records. Every returned future completes only after Kafka
 * acknowledged every record of the push, so {@code ret: 1} means durable.
 *
 * <p>Thread-safe. Kafka sends run on {@code sendExecutor}, never on the caller's
 * (event loop) thread.
 */
public final class PushDomainService {
    private final SessionStore routers;
    private final LookupBatcher lookups;
    private final PushProducer producer;
    private final Executor sendExecutor;
    private final RouterEpochs epochs;
    private final Duration serverDelAliveWindow;

    public PushDomainService(SessionStore routers, LookupBatcher lookups, RouterEpochs epochs, PushProducer producer,
            Executor sendExecutor, Duration serverDelAliveWindow) {
        this.routers = routers;
        this.lookups = lookups;
        this.serverDelAliveWindow = serverDelAliveWindow;
        this.epochs = epochs;
        this.producer = producer;
        this.sendExecutor = sendExecutor;
    }

    /**
     * Pushes {@code msg} to every connection of every user in {@code userIds}: one record per
     * comet. A user not found whose router is healing (restarted moments ago, see
     * {@link RouterEpochs}) fails the whole push with UNAVAILABLE before anything is written,
     * so the caller gets 503 and retries instead of a {@code ret: 1} that reaches nobody.
     */
    public CompletableFuture<Void> pushUsers(Collection<Long> userIds, byte[] msg) {
        return pushUsers(userIds, Op.SEND_MSG_REPLY, msg);
    }

    /** As {@link #pushUsers(Collection, byte[])}, as client operation {@code op}. */
    public CompletableFuture<Void> pushUsers(Collection<Long> userIds, int op, byte[] msg) {
        return refusing(() -> lookups.lookup(userIds).thenComposeAsync(lookup -> {
            lookup.incarnations().forEach(epochs::observe);
            Map<Integer, List<String>> byServer = lookup.byServer();
            refuseWhileHealing(userIds, byServer);
            return sendToKeys(byServer, op, msg);
        }, sendExecutor));
    }

    /**
     * Pushes {@code msg} as {@code op} to the connections with these keys (goim v2's push by
     * keys): keys of the subKey form through their users' sessions (as a user push, then
     * only those connections), keys clients chose through the store's client-key index. One
     * record per comet; keys nobody holds are skipped, as goim skips them.
     */
    public CompletableFuture<Void> pushKeys(Collection<String> keys, int op, byte[] msg) {
        return refusing(() -> pushKeysUnmapped(keys, op, msg));
    }

    private CompletableFuture<Void> pushKeysUnmapped(Collection<String> keys, int op, byte[] msg) {
        Set<String> subKeys = new HashSet<>();
        Set<Long> users = new HashSet<>();
        List<String> clientKeys = new ArrayList<>();
        for (String k : keys) {
            SubKey sk = subKeyOrNull(k);
            if (sk == null) {
                clientKeys.add(k);
            } else if (subKeys.add(k)) {
                users.add(sk.userId());
            }
        }
        CompletableFuture<Map<Integer, List<String>>> bySubKey = users.isEmpty()
                ? CompletableFuture.completedFuture(Map.of())
                : lookups.lookup(users).thenApply(lookup -> {
                    lookup.incarnations().forEach(epochs::observe);
                    Map<Integer, List<String>> found = new HashMap<>();
                    lookup.byServer().forEach((server, ks) -> {
                        for (String k : ks) {
                            if (subKeys.contains(k)) {
                                found.computeIfAbsent(server, x -> new ArrayList<>()).add(k);
                            }
                        }
                    });
                    return found;
                });
        CompletableFuture<Map<Integer, List<String>>> byClientKey = clientKeys.isEmpty()
                ? CompletableFuture.completedFuture(Map.of())
                : routers.lookupClientKeys(clientKeys);
        return bySubKey.thenCombine(byClientKey, (a, b) -> {
            Map<Integer, List<String>> all = new HashMap<>();
            a.forEach((server, ks) -> all.computeIfAbsent(server, x -> new ArrayList<>()).addAll(ks));
            b.forEach((server, ks) -> all.computeIfAbsent(server, x -> new ArrayList<>()).addAll(ks));
            return all;
        }).thenComposeAsync(byServer -> sendToKeys(byServer, op, msg), sendExecutor);
    }

    private static SubKey subKeyOrNull(String key) {
        try {
            return SubKey.decode(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** One MULTIPLE record per comet; completes when Kafka acknowledged all. */
    private CompletableFuture<Void> sendToKeys(Map<Integer, List<String>> byServer, int op, byte[] msg) {
        List<CompletableFuture<?>> acks = new ArrayList<>(byServer.size());
        for (Map.Entry<Integer, List<String>> e : byServer.entrySet()) {
            PushMsg record = base(PushMsg.Type.MULTIPLE, op, msg)
                    .setServer(e.getKey())
                    .addAllKeys(e.getValue())
                    .build();
            // Keyed by the first key: one user's pushes stay in one partition.
            acks.add(producer.send(e.getValue().get(0), record));
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
    }

    private void refuseWhileHealing(Collection<Long> userIds, Map<Integer, List<String>> byServer) {
        Set<Long> found = null;
        for (long uid : userIds) {
            int router = routers.shardOf(uid);
            if (!epochs.healing(router)) {
                continue;
            }
            if (found == null) {
                found = new HashSet<>();
                for (List<String> keys : byServer.values()) {
                    for (String k : keys) {
                        SubKey sk = subKeyOrNull(k); // a client-chosen key does not name its user
                        if (sk != null) {
                            found.add(sk.userId());
                        }
                    }
                }
            }
            if (!found.contains(uid)) {
                throw new PushRefused(PushRefused.Reason.UNAVAILABLE, routers.shardName(router) + " restarted moments ago"
                        + " and is relearning its sessions from the comets; user " + uid + " is not known yet", null);
            }
        }
    }

    /**
     * Pushes {@code msg} to every connection in room {@code room} (a room key: "1000" for
     * v1's room 1000, "live://1000" for a typed room): one record keyed by the room key.
     * The record also carries the v1 room number (-1 for a typed room) for a job from
     * before room keys, which reads only that.
     */
    public CompletableFuture<Void> pushRoom(String room, byte[] msg, boolean ensure) {
        return pushRoom(room, Op.SEND_MSG_REPLY, msg, ensure);
    }

    /** As {@link #pushRoom(String, byte[], boolean)}, as client operation {@code op}. */
    public CompletableFuture<Void> pushRoom(String room, int op, byte[] msg, boolean ensure) {
        PushMsg record = base(PushMsg.Type.BROADCAST_ROOM, op, msg).setRoomKey(room).setRoomId(RoomKeys.v1Id(room))
                .setEnsure(ensure).build();
        return refusing(() -> send(room, record));
    }

    /** Pushes {@code msg} to every connection on every comet: one record. */
    public CompletableFuture<Void> pushAll(byte[] msg) {
        return pushAll(Op.SEND_MSG_REPLY, 0, msg);
    }

    /**
     * As {@link #pushAll(byte[])}, as client operation {@code op}, at most {@code speed}
     * connections written to per second over the cluster (0: no limit; job shares it out).
     */
    public CompletableFuture<Void> pushAll(int op, int speed, byte[] msg) {
        return refusing(() -> send(null, base(PushMsg.Type.BROADCAST, op, msg).setSpeed(speed).build()));
    }

    /**
     * Forgets comet {@code server} in every router; unless {@code force}, refuses (a
     * {@link PushRefused} for {@link PushRefused.Reason#COMET_ALIVE}) when a router heard
     * from it within {@code logic.server-del-alive-window}.
     */
    public CompletableFuture<Void> delServer(int server, boolean force) {
        return refusing(() -> routers.delServer(server, force ? Duration.ZERO : serverDelAliveWindow));
    }

    /**
     * Runs {@code work} and gives its failure, thrown or completed, in the push service's
     * terms ({@link #refusal}): callers see no gRPC or Kafka exception.
     */
    private static CompletableFuture<Void> refusing(Supplier<CompletableFuture<Void>> work) {
        CompletableFuture<Void> f;
        try {
            f = work.get();
        } catch (RuntimeException e) { // work refused synchronously, e.g. a full send queue
            return CompletableFuture.failedFuture(refusal(e));
        }
        return f.exceptionallyCompose(e -> CompletableFuture.failedFuture(refusal(e)));
    }

    /**
     * A backend failure as a {@link PushRefused}: a router's INVALID_ARGUMENT is the
     * request's fault; any other gRPC status (a router or Redis down or slow, a router
     * healing), a retriable Kafka error, a timeout or a full send queue is worth a retry.
     * Anything else is returned as it is: a bug, answered as an internal error.
     */
    static Throwable refusal(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
            return new PushRefused(PushRefused.Reason.INVALID, s.getStatus().getDescription(), s);
        }
        if (cause instanceof StatusRuntimeException
                || cause instanceof RetriableException
                || cause instanceof TimeoutException
                || cause instanceof org.apache.kafka.common.errors.TimeoutException
                || cause instanceof RejectedExecutionException) {
            return new PushRefused(PushRefused.Reason.UNAVAILABLE, cause.getMessage(), cause);
        }
        return cause;
    }

    private CompletableFuture<Void> send(String key, PushMsg record) {
        return CompletableFuture.supplyAsync(() -> producer.send(key, record), sendExecutor)
                .thenCompose(ack -> ack.thenApply(meta -> (Void) null));
    }

    private static PushMsg.Builder base(PushMsg.Type type, int op, byte[] msg) {
        return PushMsg.newBuilder()
                .setType(type)
                .setOperation(op)
                .setMsg(ByteString.copyFrom(msg))
                .setAcceptedAtMillis(System.currentTimeMillis());
    }
}
