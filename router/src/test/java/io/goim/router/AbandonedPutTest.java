package io.goim.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.goim.proto.PutReply;
import io.goim.proto.PutReq;
import io.goim.router.discovery.CometRegistry;
import io.goim.router.session.SessionStore;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A Put whose caller gave up (its deadline, which carries the comet's, passed while it
 * waited in a loaded router) leaves no session: the caller never learns the seq, so the
 * session would stay counted online, without a connection, until the cleaner expires it.
 */
class AbandonedPutTest {
    private final AtomicLong now = new AtomicLong();
    /** Run inside the store's put (it reads the clock there): stands for the caller giving up mid-put. */
    private final AtomicReference<Runnable> duringPut = new AtomicReference<>(() -> { });
    private final SessionStore store = new SessionStore(8, Duration.ofHours(1), () -> {
        duringPut.getAndSet(() -> { }).run();
        return now.get();
    });
    private final RouterMeters meters = new RouterMeters(new SimpleMeterRegistry());
    private final RouterService service = new RouterService(store, new CometRegistry(10, now::get), 1, meters.calls);

    private static final class Outcome implements StreamObserver<PutReply> {
        PutReply reply;
        Status error;

        @Override
        public void onNext(PutReply value) {
            reply = value;
        }

        @Override
        public void onError(Throwable t) {
            error = Status.fromThrowable(t);
        }

        @Override
        public void onCompleted() {
        }
    }

    private static PutReq put(long user) {
        return PutReq.newBuilder().setUserId(user).setServer(1).setRoomKey("1").build();
    }

    @Test
    void aPutWhoseCallerGaveUpBeforeItRanIsNotApplied() {
        Context.CancellableContext call = Context.current().withCancellation();
        call.cancel(null);
        Outcome out = new Outcome();
        call.run(() -> service.put(put(7), out));
        assertEquals(0, store.count(), "no session for a put nobody waits for");
        assertEquals(0, store.roomCount("1"));
        assertEquals(Status.Code.CANCELLED, out.error.getCode());
        assertNull(out.reply);
        assertEquals(1, abandoned());
    }

    @Test
    void aPutWhoseCallerGaveUpWhileItWasAppliedIsUndone() {
        Context.CancellableContext call = Context.current().withCancellation();
        AtomicBoolean cancelled = new AtomicBoolean();
        duringPut.set(() -> cancelled.set(call.cancel(null)));
        Outcome out = new Outcome();
        call.run(() -> service.put(put(7), out));
        assertEquals(true, cancelled.get());
        assertEquals(0, store.count());
        assertEquals(0, store.userCount(7));
        assertEquals(0, store.roomCount("1"));
        assertEquals(Status.Code.CANCELLED, out.error.getCode());
        assertEquals(1, abandoned());
    }

    @Test
    void aPutWhoseCallerWaitsIsAppliedAndAnswered() {
        Outcome out = new Outcome();
        service.put(put(7), out);
        assertEquals(1, out.reply.getSeq());
        assertEquals(1, store.count());
        assertEquals(0, abandoned());
    }

    /** goim_router_puts_abandoned_total, as the registry holds it. */
    private long abandoned() {
        return (long) meters.calls.putsAbandoned().count();
    }
}
