package io.goim.logic.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.goim.logic.PushRefused;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The push service's one translation of backend failures into its own refusals. */
class PushRefusalTest {
    private static PushRefused refused(Throwable backend) {
        return assertInstanceOf(PushRefused.class, PushDomainService.refusal(new CompletionException(backend)));
    }

    @Test
    void aRoutersInvalidArgumentIsTheRequestsFault() {
        PushRefused r = refused(Status.INVALID_ARGUMENT.withDescription("room key too long").asRuntimeException());
        assertEquals(PushRefused.Reason.INVALID, r.reason());
        assertEquals("room key too long", r.getMessage());
    }

    @Test
    void backendsDownOrSlowOrAFullQueueAreWorthARetry() {
        PushRefused router = refused(Status.UNAVAILABLE.withDescription("router 1 down").asRuntimeException());
        assertEquals(PushRefused.Reason.UNAVAILABLE, router.reason());
        assertEquals("UNAVAILABLE: router 1 down", router.getMessage(), "the message the HTTP answer carries");
        assertEquals(PushRefused.Reason.UNAVAILABLE,
                refused(new org.apache.kafka.common.errors.TimeoutException("no ack")).reason());
        assertEquals(PushRefused.Reason.UNAVAILABLE,
                refused(new org.apache.kafka.common.errors.NotLeaderOrFollowerException("moved")).reason());
        assertEquals(PushRefused.Reason.UNAVAILABLE, refused(new RejectedExecutionException("queue full")).reason());
    }

    @Test
    void refusalsAndBugsPassAsTheyAre() {
        PushRefused alive = new PushRefused(PushRefused.Reason.COMET_ALIVE, "comet 1 looks alive", null);
        assertSame(alive, PushDomainService.refusal(new CompletionException(alive)));
        NullPointerException bug = new NullPointerException("bug");
        assertSame(bug, PushDomainService.refusal(bug));
    }
}
