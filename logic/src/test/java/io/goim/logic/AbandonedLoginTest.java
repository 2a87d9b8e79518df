package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.proto.ConnectReq;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Connect the comet gave up on (its deadline passed while logic was still at work) must
 * leave no session behind: the comet never learns its key, so nobody would ever delete it,
 * and it would be counted online with no connection until the store expires it.
 */
class AbandonedLoginTest {
    /** Holds every login until the test opens the gate: a logic too busy to answer in time. */
    public static final class GatedAuthenticator implements Authenticator {
        static volatile CountDownLatch gate = new CountDownLatch(0);
        static volatile CountDownLatch entered = new CountDownLatch(0);

        @Override
        public Identity authenticate(String token) {
            entered.countDown();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Identity(Long.parseLong(token), "1");
        }
    }

    private static double abandoned(LogicHarness h) {
        try {
            AdminScrape.Metrics m = AdminScrape.metrics(h.logic.adminPort());
            return m.has("goim_logic_connects_abandoned_total") ? m.value("goim_logic_connects_abandoned_total") : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    @Test
    void aLoginWhoseCometGaveUpStoresNoSession() throws Exception {
        GatedAuthenticator.gate = new CountDownLatch(1);
        GatedAuthenticator.entered = new CountDownLatch(1);
        try (LogicHarness h = new LogicHarness(1, false, Map.of("logic.auth.class", GatedAuthenticator.class.getName()))) {
            ConnectReq req = ConnectReq.newBuilder().setToken(ByteString.copyFromUtf8("7")).setServer(1).build();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> h.comet.withDeadlineAfter(300, TimeUnit.MILLISECONDS).connect(req));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
            GatedAuthenticator.entered.await(30, TimeUnit.SECONDS);
            GatedAuthenticator.gate.countDown(); // logic goes on with the login nobody waits for

            Await.until("logic done with the abandoned login", Duration.ofSeconds(30),
                    () -> h.routers.get(0).sessions().count() > 0 || abandoned(h) > 0);
            Await.until("no session left for the login the comet gave up on", Duration.ofSeconds(10),
                    () -> h.routers.get(0).sessions().count() == 0);
            assertEquals(1.0, abandoned(h));
            assertTrue(h.connect("7", 1).getKey().startsWith("7_"), "the next login of the user is served as usual");
            assertEquals(1, h.routers.get(0).sessions().count());
        } finally {
            GatedAuthenticator.gate.countDown();
        }
    }
}
