package io.goim.logic.discovery;

import io.goim.logic.session.CometDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.logic.LogicMeters;
import io.goim.proto.CometInstance;
import io.goim.proto.CometsReply;
import io.goim.proto.Empty;
import io.goim.proto.WithdrawReq;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Discovery calls are answered by outcome and counted so in goim_logic_discovery_calls_total{call,outcome}. */
class DiscoveryCallsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** What the directory answers every call; a failed future stands for a session store that does not take it. */
    private CompletableFuture<Void> stored = CompletableFuture.completedFuture(null);
    private final DiscoveryCalls calls = new DiscoveryCalls(new CometDirectory() {
        @Override
        public CompletableFuture<Void> announce(CometInstance comet) {
            return stored;
        }

        @Override
        public CompletableFuture<Void> withdraw(int server, long incarnation) {
            return stored;
        }

        @Override
        public CompletableFuture<List<CometInstance>> comets() {
            return stored.thenApply(v -> List.of());
        }
    }, new LogicMeters(registry).discoveryCalls);

    /** Keeps the status a call ended with (OK when it completed). */
    private static final class Outcome<T> implements StreamObserver<T> {
        Status status;

        @Override
        public void onNext(T value) {
        }

        @Override
        public void onError(Throwable t) {
            status = Status.fromThrowable(t);
        }

        @Override
        public void onCompleted() {
            status = Status.OK;
        }
    }

    private static CometInstance comet(int server) {
        return CometInstance.newBuilder().setServer(server).setIncarnation(3).setTtlMs(10_000).setGrpc("10.0.0.1:8092")
                .build();
    }

    private double counted(String call, String outcome) {
        return registry.get("goim_logic_discovery_calls").tags("call", call, "outcome", outcome).counter().count();
    }

    @Test
    void everyCallIsCountedByItsOutcome() {
        Outcome<Empty> ok = new Outcome<>();
        calls.announce(comet(1), ok);
        assertEquals(Status.Code.OK, ok.status.getCode());
        Outcome<Empty> invalid = new Outcome<>();
        calls.announce(comet(0), invalid);
        assertEquals(Status.Code.INVALID_ARGUMENT, invalid.status.getCode());
        Outcome<Empty> badWithdraw = new Outcome<>();
        calls.withdraw(WithdrawReq.newBuilder().setServer(-1).build(), badWithdraw);
        assertEquals(Status.Code.INVALID_ARGUMENT, badWithdraw.status.getCode());
        Outcome<CometsReply> list = new Outcome<>();
        calls.comets(list);
        assertEquals(Status.Code.OK, list.status.getCode());

        stored = CompletableFuture.failedFuture(new IllegalStateException("store down"));
        Outcome<Empty> down = new Outcome<>();
        calls.withdraw(WithdrawReq.newBuilder().setServer(1).build(), down);
        assertEquals(Status.Code.UNAVAILABLE, down.status.getCode());
        Outcome<CometsReply> listDown = new Outcome<>();
        calls.comets(listDown);
        assertEquals(Status.Code.UNAVAILABLE, listDown.status.getCode());

        assertEquals(1.0, counted("announce", "ok"));
        assertEquals(1.0, counted("announce", "invalid"));
        assertEquals(1.0, counted("withdraw", "invalid"));
        assertEquals(1.0, counted("comets", "ok"));
        assertEquals(1.0, counted("withdraw", "unavailable"));
        assertEquals(1.0, counted("comets", "unavailable"));
    }
}
