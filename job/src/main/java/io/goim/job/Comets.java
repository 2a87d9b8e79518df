package io.goim.job;

import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.Futures;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.proto.BroadcastReq;
import io.goim.proto.BroadcastRoomReq;
import io.goim.proto.CometGrpc;
import io.goim.proto.MPushMsgReq;
import io.goim.proto.Proto;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Job's clients of the configured comets: one gRPC channel each, asynchronous calls with
 * a deadline, retried with backoff on transient failures.
 *
 * <p>Thread-safe.
 */
final class Comets implements AutoCloseable {
    private final Map<Integer, ManagedChannel> channels = new LinkedHashMap<>();
    private final Map<Integer, CometGrpc.CometFutureStub> stubs = new LinkedHashMap<>();
    private final Duration timeout;
    private final int attempts;
    private final Executor retryDelay;

    Comets(Map<Integer, HostPort> comets, Duration timeout, int attempts) {
        this.timeout = timeout;
        this.attempts = attempts;
        this.retryDelay = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);
        comets.forEach((id, address) -> {
            ManagedChannel ch = GrpcChannels.plaintext(address);
            channels.put(id, ch);
            stubs.put(id, CometGrpc.newFutureStub(ch));
        });
    }

    Collection<Integer> ids() {
        return stubs.keySet();
    }

    boolean knows(int server) {
        return stubs.containsKey(server);
    }

    private CometGrpc.CometFutureStub stub(int server) {
        return stubs.get(server).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    CompletableFuture<?> mPush(int server, Collection<String> keys, Proto proto) {
        MPushMsgReq req = MPushMsgReq.newBuilder().addAllKeys(keys).setProto(proto).build();
        return withRetry(() -> Futures.of(stub(server).mPushMsg(req)), attempts);
    }

    CompletableFuture<?> broadcast(int server, Proto proto) {
        BroadcastReq req = BroadcastReq.newBuilder().setProto(proto).build();
        return withRetry(() -> Futures.of(stub(server).broadcast(req)), attempts);
    }

    CompletableFuture<?> broadcastRoom(int server, int room, Proto proto) {
        BroadcastRoomReq req = BroadcastRoomReq.newBuilder().setRoomId(room).setProto(proto).build();
        return withRetry(() -> Futures.of(stub(server).broadcastRoom(req)), attempts);
    }

    /** Retries {@code call} after a transient failure (UNAVAILABLE, DEADLINE_EXCEEDED), up to {@code left} attempts. */
    private <T> CompletableFuture<T> withRetry(Supplier<CompletableFuture<T>> call, int left) {
        return call.get().handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            Status.Code code = Status.fromThrowable(error).getCode();
            boolean transient_ = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
            if (!transient_ || left <= 1) {
                return CompletableFuture.<T>failedFuture(error);
            }
            return CompletableFuture.supplyAsync(() -> null, retryDelay).thenCompose(v -> withRetry(call, left - 1));
        }).thenCompose(f -> f);
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel ch : channels.values()) {
            GrpcChannels.close(ch, Duration.ofSeconds(2));
        }
    }
}
