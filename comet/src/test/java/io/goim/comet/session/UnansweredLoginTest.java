package io.goim.comet.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.comet.CometConfig;
import io.goim.comet.CometParts;
import io.goim.comet.FakeLogic;
import io.goim.comet.TestComets;
import io.goim.libs.testing.Await;
import io.goim.proto.ConnectReply;
import io.goim.protocol.Op;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A login whose Connect got no answer at all within its call's deadline (logic answered
 * too late, or its answer was lost on the way): logic may have stored the session, and no
 * answer names it. The comet has logic undo the login by the id it drew for it and the
 * token it sent (Logic.Undo), instead of leaving the session counted online until the store
 * expires it.
 */
class UnansweredLoginTest {

    @Test
    void aLoginWhoseCallEndedWithoutAnAnswerIsUndoneByItsLoginId() throws Exception {
        try (FakeLogic logic = new FakeLogic()) {
            logic.connectAnswersLost = true;
            CometConfig config = TestComets.config(Map.of(
                    "comet.logic", "127.0.0.1:" + logic.port(),
                    "comet.logic-timeout", "300ms",
                    "comet.login-timeout", "1s",
                    "comet.online-recheck", "100ms"));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CometParts comet = TestComets.context(config, registry);
            try {
                EmbeddedChannel ch = new EmbeddedChannel();
                ch.pipeline().addLast(comet.tcp(null));
                ch.writeInbound(TestComets.packet(Op.AUTH, 1, "7"));
                Long loginId = logic.loginIds.poll(30, TimeUnit.SECONDS);
                assertNotNull(loginId, "the Connect reached logic, which stored the session");
                Await.until("the login refused after logic-timeout", Duration.ofSeconds(30), () -> {
                    ch.runPendingTasks();
                    return !ch.isOpen();
                });
                // The call itself runs logic-timeout + login-timeout, then ends DEADLINE_EXCEEDED.
                assertEquals("7 " + Long.toHexString(loginId), logic.undos.poll(30, TimeUnit.SECONDS),
                        "logic asked to undo that very login, named by its token and id");
                Await.until("the undo acknowledged", Duration.ofSeconds(10),
                        () -> registry.counter("goim_comet_login_undos", "outcome", "reported").count() == 1.0);
                assertEquals(0.0, registry.counter("goim_comet_login_undos", "outcome", "lost").count());
                assertEquals(0.0, registry.counter("goim_comet_login_answers_undone").count(), "no answer came");
                // The session store's counts may have missed the undo's update: comet reports its
                // own soon (comet.online-recheck), not only every online-interval (not started here).
                Await.until("the comet's counts reported soon after", Duration.ofSeconds(10),
                        () -> logic.lastRenewOnline.get() != null);
                assertFalse(ch.finishAndReleaseAll(), "no auth reply was written");
            } finally {
                TestComets.close(comet);
            }
        }
    }

    /** Only a call that ended without an answer is undone: logic's own refusals stored nothing. */
    @Test
    void onlyACallThatEndedWithoutAnAnswerIsUndone() {
        List<CompletableFuture<ConnectReply>> calls = new ArrayList<>();
        List<Long> sentIds = new ArrayList<>();
        List<String> undone = new ArrayList<>();
        LoginWindow window = new LoginWindow(4, Duration.ZERO, (token, loginId) -> {
            sentIds.add(loginId);
            CompletableFuture<ConnectReply> call = new CompletableFuture<>();
            calls.add(call);
            return call;
        }, reply -> {
        }, (token, loginId) -> undone.add(new String(token, StandardCharsets.UTF_8) + " " + loginId));
        window.connect("a".getBytes(StandardCharsets.UTF_8));
        window.connect("b".getBytes(StandardCharsets.UTF_8));
        window.connect("c".getBytes(StandardCharsets.UTF_8));
        calls.get(0).completeExceptionally(Status.UNAUTHENTICATED.asRuntimeException());
        calls.get(1).completeExceptionally(Status.UNAVAILABLE.withDescription("router put failed").asRuntimeException());
        calls.get(2).completeExceptionally(Status.DEADLINE_EXCEEDED.asRuntimeException());
        assertEquals(List.of("c " + sentIds.get(2)), undone);
        assertTrue(sentIds.stream().allMatch(id -> id != 0), "every login has a non-zero id");
        assertEquals(3, sentIds.stream().distinct().count(), "each its own");
    }
}
