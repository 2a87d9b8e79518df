package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.RedisExtension;
import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.proto.ConnectReq;
import io.goim.proto.LogicGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Connect the comet gave up on (its deadline passed while logic was still at work) must
 * leave no session behind: the comet never learns its key, so nobody would ever delete it,
 * and it would be counted online with no connection until the store expires it.
 */
class AbandonedLoginTest {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    /**
     * Holds every login until its comet has given up on it (the call is cancelled on
     * logic's side): a logic too busy to answer in time.
     */
    public static final class GatedAuthenticator implements Authenticator {
        static final CountDownLatch ENTERED = new CountDownLatch(1);

        @Override
        public Identity authenticate(String token) {
            CountDownLatch gaveUp = new CountDownLatch(1);
            Context.current().addListener(c -> gaveUp.countDown(), Runnable::run);
            ENTERED.countDown();
            try {
                gaveUp.await(30, TimeUnit.SECONDS);
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
        try (LogicHarness h = new LogicHarness(1, false, Map.of("logic.auth.class", GatedAuthenticator.class.getName()))) {
            ConnectReq req = ConnectReq.newBuilder().setToken(ByteString.copyFromUtf8("7")).setServer(1).build();
            ManagedChannel channel = GrpcChannels.plaintext(new HostPort("127.0.0.1", h.logic.grpcPort()));
            try {
                var call = LogicGrpc.newFutureStub(channel).connect(req);
                assertTrue(GatedAuthenticator.ENTERED.await(30, TimeUnit.SECONDS), "logic is checking the token");
                call.cancel(true); // the comet gives up (as when its deadline passes)
            } finally {
                GrpcChannels.close(channel, Duration.ofSeconds(2));
            }

            Await.until("logic done with the abandoned login", Duration.ofSeconds(30),
                    () -> h.routers.get(0).sessions().count() > 0 || abandoned(h) > 0);
            Await.until("no session left for the login the comet gave up on", Duration.ofSeconds(10),
                    () -> h.routers.get(0).sessions().count() == 0);
            assertEquals(1.0, abandoned(h));
        }
    }

    /**
     * With Redis as the store no deadline reaches the store: a put that Redis applies after
     * the comet gave up succeeds, and logic deletes the session it stored.
     */
    @Test
    void aSessionRedisStoredAfterItsCometGaveUpIsDeletedAgain() throws Exception {
        try (LogicHarness h = new LogicHarness(0, false, Map.of(
                "logic.session.store", "redis",
                "logic.session.redis.uris", List.of(redis.uri()),
                "logic.session.redis.timeout", "30s"))) {
            assertTrue(h.connect("8", 1).getKey().startsWith("8_"), "logic talks to Redis");
            // Redis holds every write for a while: a store (or a machine) under load.
            // Longer than the comet's deadline, which is long enough for the call to reach logic under load.
            assertEquals("+OK", redis.command("CLIENT PAUSE 6000 WRITE"));
            ConnectReq req = ConnectReq.newBuilder().setToken(ByteString.copyFromUtf8("7")).setServer(1)
                    .setLoginId(0x5eed_0007L).build();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> h.comet.withDeadlineAfter(3, TimeUnit.SECONDS).connect(req));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());

            Await.until("the put applied once Redis took writes again", Duration.ofSeconds(30),
                    () -> abandoned(h) > 0 || ":1".equals(redis.command("EXISTS mid_7")));
            // (The user's record stays, with its last seq: only the session goes.)
            Await.until("no session of user 7 left in Redis", Duration.ofSeconds(10),
                    () -> ":0".equals(redis.command("HEXISTS mid_7 7_1")));
            assertEquals(1.0, abandoned(h));
            assertEquals(":1", redis.command("EXISTS mid_8"), "other sessions stay");
        }
    }
}
