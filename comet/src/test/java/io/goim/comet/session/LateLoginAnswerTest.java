package io.goim.comet.session;

import io.goim.comet.CometConfig;
import io.goim.comet.CometParts;
import io.goim.comet.FakeLogic;
import io.goim.comet.TestComets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A login logic answers after comet's logic-timeout: the client is refused as before, but
 * the session logic stored for it (only logic's answer names it) is disconnected again,
 * not left in the store counted online without a connection until it expires.
 */
class LateLoginAnswerTest {

    @Test
    void aSessionLogicStoredForALoginThatTimedOutIsDisconnected() throws Exception {
        try (FakeLogic logic = new FakeLogic()) {
            logic.connectDelayMillis = 1_500;
            CometConfig config = TestComets.config(Map.of(
                    "comet.logic", "127.0.0.1:" + logic.port(),
                    "comet.logic-timeout", "300ms",
                    "comet.login-timeout", "30s"));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CometParts comet = TestComets.context(config, registry);
            try {
                EmbeddedChannel ch = new EmbeddedChannel();
                ch.pipeline().addLast(comet.tcp(null));
                ch.writeInbound(TestComets.packet(Op.AUTH, 1, "7"));
                String key = logic.nextKey(7); // logic stored the session; its answer is late
                Await.until("the login refused after logic-timeout", Duration.ofSeconds(30), () -> {
                    ch.runPendingTasks();
                    return !ch.isOpen();
                });
                assertEquals(1.0, registry.counter("goim_comet_auth", "result", "failed").count());
                logic.awaitDisconnect(key);
                assertEquals(1.0, registry.counter("goim_comet_login_answers_undone").count());
                assertFalse(ch.finishAndReleaseAll(), "no auth reply was written");
            } finally {
                TestComets.close(comet);
            }
        }
    }
}
