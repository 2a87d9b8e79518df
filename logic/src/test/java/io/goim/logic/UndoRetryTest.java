package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.libs.testing.Await;
import io.goim.proto.ConnectReq;
import io.goim.proto.UndoReply;
import io.goim.proto.UndoReq;
import io.goim.router.RouterServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Undoing a login is retried when the store fails it: a real router behind a proxy that
 * leaves the first undos unanswered (logic's router deadline passes, as under load) and
 * loses the answer of a Put it applied (so logic must undo that login). Without the retry,
 * the session the Put stored stays on the router, counted online with no connection.
 */
class UndoRetryTest {
    private static final long LOGIN = 0x7e57_0001L;

    private static ConnectReq login(String token, long loginId) {
        return ConnectReq.newBuilder().setToken(ByteString.copyFromUtf8(token)).setServer(1).setLoginId(loginId).build();
    }

    private static double counter(LogicHarness h, String name) {
        return h.logic.registry().get(name).counter().count();
    }

    private static LogicHarness logic(FaultyRouter proxy, Map<String, Object> more) throws Exception {
        Map<String, Object> c = new HashMap<>(Map.of(
                "logic.routers", Map.of("1", proxy.address()),
                "logic.router-timeout", "500ms",
                "logic.undo-retry.backoff", "50ms"));
        c.putAll(more);
        return new LogicHarness(0, false, c);
    }

    @Test
    void anUndoTheRouterFailedIsRetriedUntilTheSessionIsGone() throws Exception {
        try (RouterServer router = RouterServer.start(LogicHarness.config(Map.of("router.grpc.port", 0)));
                FaultyRouter proxy = new FaultyRouter(router.grpcPort());
                LogicHarness h = logic(proxy, Map.of())) {
            proxy.losePutAnswers.set(1); // applied, answered UNAVAILABLE: logic undoes the login
            proxy.dropUndos.set(1); // ... and its first undo passes logic's deadline unanswered

            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> h.comet.connect(login("7", LOGIN)));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            // Logic answers the failed put only once its undo is settled, so this holds at once.
            assertEquals(0, router.sessions().count(), "the session the lost Put stored is gone");
            assertEquals(2, proxy.undosSeen.get(), "the undo and its retry");
            assertEquals(1.0, counter(h, "goim_logic_undo_retries"));
            assertEquals(0.0, counter(h, "goim_logic_undos_given_up"));
            assertEquals(0.0, h.logic.registry().get("goim_logic_undos_pending").gauge().value(), "none left waiting");
        }
    }

    @Test
    void anUndoStillFailingAfterItsRetriesIsGivenUpAndCounted() throws Exception {
        try (RouterServer router = RouterServer.start(LogicHarness.config(Map.of("router.grpc.port", 0)));
                FaultyRouter proxy = new FaultyRouter(router.grpcPort());
                LogicHarness h = logic(proxy, Map.of("logic.undo-retry.retries", 2))) {
            proxy.losePutAnswers.set(1);
            proxy.dropUndos.set(1_000); // the router never takes an undo

            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> h.comet.connect(login("8", LOGIN)));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            assertEquals(3, proxy.undosSeen.get(), "the undo and its 2 retries, no more");
            assertEquals(2.0, counter(h, "goim_logic_undo_retries"));
            assertEquals(1.0, counter(h, "goim_logic_undos_given_up"));
            assertEquals(1, router.sessions().count(), "left for the router to expire");
        }
    }

    /**
     * A Connect whose answer never reached its comet: logic stored the session and
     * answered, the comet's deadline passed first. The comet names the login by the id it
     * drew and the token it sent (Logic.Undo); logic undoes it, retrying as above when the
     * router fails the undo, and a late repeat of the login stores nothing.
     */
    @Test
    void aLoginWhoseAnswerWasLostIsUndoneByItsIdAtTheCometsRequest() throws Exception {
        try (RouterServer router = RouterServer.start(LogicHarness.config(Map.of("router.grpc.port", 0)));
                FaultyRouter proxy = new FaultyRouter(router.grpcPort());
                LogicHarness h = logic(proxy, Map.of())) {
            h.comet.connect(login("9", LOGIN)); // answered; the comet never saw it
            assertEquals(1, router.sessions().count());

            proxy.dropUndos.set(1);
            UndoReq undo = UndoReq.newBuilder().setToken(ByteString.copyFromUtf8("9")).setServer(1).setLoginId(LOGIN)
                    .build();
            UndoReply r = h.comet.undo(undo);
            assertTrue(r.getRetrying(), "the router missed logic's deadline: logic retries, not the comet");
            Await.until("the session of the unanswered login gone", Duration.ofSeconds(10),
                    () -> router.sessions().count() == 0);
            assertEquals(1.0, counter(h, "goim_logic_undo_retries"));

            assertThrows(StatusRuntimeException.class, () -> h.comet.connect(login("9", LOGIN)),
                    "a late repeat of the undone login");
            assertEquals(0, router.sessions().count(), "stores nothing");
            UndoReply again = h.comet.undo(undo);
            assertFalse(again.getHas(), "an undo repeated finds nothing");
            assertFalse(again.getRetrying());
        }
    }

    @Test
    void anUndoWhoseTokenIsRefusedNowIsAnsweredUnauthenticated() throws Exception {
        try (LogicHarness h = new LogicHarness(1, false, Map.of("logic.auth.allow-anonymous", false))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> h.comet.undo(UndoReq.newBuilder()
                    .setToken(ByteString.copyFromUtf8("not a user")).setServer(1).setLoginId(LOGIN).build()));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), e.toString());
            e = assertThrows(StatusRuntimeException.class, () -> h.comet.undo(UndoReq.newBuilder()
                    .setToken(ByteString.copyFromUtf8("9")).setServer(1).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        }
    }
}
