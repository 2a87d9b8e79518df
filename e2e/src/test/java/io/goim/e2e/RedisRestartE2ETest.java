package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.libs.testing.RedisServer;
import io.goim.libs.testing.TcpTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * With the Redis session store (logic.session.store = redis), the whole path works as with
 * the routers: a client logs in, a push by user id reaches it, /1/count counts it; and when
 * redis-server is killed and restarted empty, logic sees the sentinel gone, the comet sees
 * the epoch change and re-announces its connections, and the client is reachable again
 * within seconds, with comet.renew-interval at its 10-minute default.
 */
@ClusterTest
class RedisRestartE2ETest {
    private static final Duration HEALED_WITHIN = Duration.ofSeconds(10);

    @Test
    void aClientStaysReachableAfterRedisRestartsEmpty(LocalCluster.Builder newCluster) throws Exception {
        try (RedisServer redis = RedisServer.start();
                LocalCluster cluster = newCluster.redisSessions(redis.uri()).start();
                TcpTestClient client = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            client.send(Op.AUTH, 1, "71");
            assertEquals(Op.AUTH_REPLY, client.receive().op());
            assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=71", "before").body());
            assertEquals("before", client.receive().bodyText());
            assertTrue(redis.command("HEXISTS mid_71 71_1").equals(":1") && redis.command("HEXISTS mid_71 seq").equals(":1"),
                    "the session lives in Redis (fields seq and 71_1)");
            Await.until("/1/count sees the client in room 1", Duration.ofSeconds(10), () -> {
                try {
                    return cluster.post("/1/count?type=room", "").body().contains("{\"RoomId\":1,\"Count\":1}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("the comet learned the epoch", Duration.ofSeconds(15), () -> {
                try {
                    return AdminScrape.metrics(cluster.comet.adminPort()).has("grpc_client_processing_duration_seconds_count");
                } catch (Exception | AssertionError e) {
                    return false;
                }
            });
            long renewCalls = Counts.of(cluster.comet.registry(), "goim_comet_renew_calls", "outcome", "ok");

            redis.restart();
            assertEquals(":0", redis.command("EXISTS mid_71"), "restarted empty");
            HealProbe.Healed h = HealProbe.pushUntilAccepted(cluster, 71, client, HEALED_WITHIN,
                    () -> redis.command("EXISTS mid_71").equals(":1"));
            Duration healed = h.after();
            System.out.printf("redis restart healed in %d ms (%d push(es) refused with 503 meanwhile)%n",
                    healed.toMillis(), h.refused());
            assertTrue(healed.compareTo(HEALED_WITHIN) <= 0, "healed in " + healed.toMillis() + " ms");
            assertTrue(Counts.of(cluster.comet.registry(), "goim_comet_renew_calls", "outcome", "ok") > renewCalls, "an epoch renew, not a periodic one");
            assertTrue(AdminScrape.metrics(cluster.logic.adminPort()).value("goim_logic_router_restarts_total") >= 1);
        }
    }
}
