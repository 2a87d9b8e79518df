package io.goim.comet.push;

import io.goim.comet.CometMeters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.goim.libs.grpc.CallIds;
import io.goim.libs.testing.Await;
import io.goim.proto.BroadcastRoomReply;
import io.goim.proto.BroadcastRoomReq;
import io.goim.proto.CometGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Job's retry of a push call comet applied but answered too late must not push it again;
 * a retry of a call comet refused must. Over real loopback gRPC, with a push service that
 * applies room calls (counts them) and answers them later, as comet's loops do.
 */
class RepeatedCallsTest {
    private final AtomicInteger applied = new AtomicInteger();
    private final AtomicInteger busyLeft = new AtomicInteger();
    /** Answers held back: a comet whose loops are slow to write. */
    private final ConcurrentLinkedQueue<StreamObserver<BroadcastRoomReply>> held = new ConcurrentLinkedQueue<>();
    private volatile boolean hold;
    private final AtomicLong now = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        CometGrpc.CometImplBase service = new CometGrpc.CometImplBase() {
            @Override
            public void broadcastRoom(BroadcastRoomReq req, StreamObserver<BroadcastRoomReply> out) {
                if (busyLeft.getAndDecrement() > 0) {
                    out.onError(Status.RESOURCE_EXHAUSTED.withDescription("behind").asRuntimeException());
                    return;
                }
                applied.incrementAndGet();
                if (hold) {
                    held.add(out);
                } else {
                    out.onNext(BroadcastRoomReply.getDefaultInstance());
                    out.onCompleted();
                }
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(service, new RepeatedCalls(Duration.ofSeconds(30), now::get, new CometMeters(registry).repeats)))
                .build().start();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private void call(long id, long deadlineMillis) {
        CometGrpc.CometBlockingStub stub = CometGrpc.newBlockingStub(channel)
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
        if (id != 0) {
            stub = stub.withInterceptors(CallIds.attach(id));
        }
        stub.broadcastRoom(BroadcastRoomReq.newBuilder().setRoomKey("1").build());
    }

    private double repeats() {
        return registry.counter("goim_comet_push_repeats").count();
    }

    @Test
    void aRetryOfACallAppliedButAnsweredTooLateIsAnsweredAndNotAppliedAgain() throws Exception {
        hold = true;
        var first = CometGrpc.newFutureStub(channel).withInterceptors(CallIds.attach(42))
                .broadcastRoom(BroadcastRoomReq.newBuilder().setRoomKey("1").build());
        Await.until("comet applied the call (its answer is late)", Duration.ofSeconds(30), () -> applied.get() == 1);
        first.cancel(true); // job stops waiting, as when its deadline passes
        hold = false;
        call(42, 30_000); // job's retry, same id
        assertEquals(1, applied.get());
        assertEquals(1.0, repeats());
        call(43, 30_000); // the next call is applied as usual
        assertEquals(2, applied.get());
    }

    @Test
    void aRetryOfACallCometRefusedIsApplied() {
        busyLeft.set(1);
        StatusRuntimeException busy = assertThrows(StatusRuntimeException.class, () -> call(7, 30_000));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, busy.getStatus().getCode());
        assertEquals(0, applied.get());
        call(7, 30_000);
        assertEquals(1, applied.get(), "refused, then applied on retry");
        assertEquals(0.0, repeats());
    }

    @Test
    void callsWithoutAnIdAreAppliedEachTime() {
        call(0, 30_000);
        call(0, 30_000);
        assertEquals(2, applied.get());
    }

    @Test
    void idsAreForgottenAfterTwoGenerations() {
        call(5, 30_000);
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        call(5, 30_000);
        assertEquals(1, applied.get(), "still remembered in the previous generation");
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        call(6, 30_000); // rotates: the generation holding 5 is dropped
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        call(5, 30_000);
        assertEquals(3, applied.get());
    }
}
