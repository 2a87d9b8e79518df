package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import io.goim.router.RouterServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Comet renews its connections' router sessions (Logic.Renew): with a router
 * session expiry of 2 s and a renew every 500 ms, a connection open for several expiry
 * periods is never forgotten and still receives pushes, and a router restarted empty on
 * the same port relearns it from the next renew.
 */
@ClusterTest
class CometRenewE2ETest {
    private static final Duration EXPIRE = Duration.ofSeconds(2);

    private static LocalCluster start(LocalCluster.Builder newCluster) throws Exception {
        return newCluster
                .router("router.session-expire", "2s")
                .router("router.clean-interval", "100ms")
                .comet("comet.renew-interval", "500ms")
                .comet("comet.renew-retry", "200ms")
                .start();
    }

    private static TcpTestClient login(LocalCluster cluster, long uid) throws Exception {
        TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
        c.send(Op.AUTH, 1, Long.toString(uid));
        assertEquals(Op.AUTH_REPLY, c.receive().op());
        return c;
    }

    private static void pushArrives(LocalCluster cluster, TcpTestClient client, long uid, String body) throws Exception {
        assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=" + uid, body).body());
        assertEquals(body, client.receive().bodyText());
    }

    @Test
    void aConnectionOpenForSeveralExpiryPeriodsStaysKnownAndReceivesPushes(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = start(newCluster); TcpTestClient client = login(cluster, 51)) {
            pushArrives(cluster, client, 51, "first");
            long until = System.nanoTime() + EXPIRE.multipliedBy(3).toNanos();
            while (System.nanoTime() < until) { // watching the router, not waiting for a timeout
                assertEquals(1, cluster.router.sessions().count(), "the router never forgets the live connection");
                Thread.sleep(50);
            }
            assertEquals(0.0, AdminScrape.metrics(cluster.router.adminPort()).value("goim_router_sessions_expired_total"),
                    "nothing expired: every renew came in time");
            double refreshed = renewed(cluster, "refreshed");
            assertTrue(refreshed >= 6, "renewed about every 500 ms: " + refreshed);
            pushArrives(cluster, client, 51, "after three expiry periods");
        }
    }

    @Test
    void aRestartedRouterRelearnsTheConnectionFromTheNextRenew(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = start(newCluster); TcpTestClient client = login(cluster, 52)) {
            pushArrives(cluster, client, 52, "before");
            int port = cluster.router.grpcPort();
            cluster.router.close();
            try (RouterServer restarted = RouterServer.start(cluster.routerConfig(Map.of("router.grpc.port", port)))) {
                Await.until("the restarted router relearns the connection", Duration.ofSeconds(15),
                        () -> restarted.sessions().count() == 1);
                assertEquals(1, restarted.sessions().userCount(52));
                assertEquals(Map.of(1, 1), restarted.sessions().allServerCount());
                // The router relearns the session before its Touch reply travels back through
                // logic to the comet, which counts it only then: wait for the comet's count too.
                Await.until("the comet counts the relearned connection", Duration.ofSeconds(15),
                        () -> renewed(cluster, "relearned") >= 1);
                pushArrives(cluster, client, 52, "after the restart");
            }
        }
    }

    /** The comet's {@code goim_comet_renewed_connections_total} for {@code outcome}, as operators scrape it. */
    private static double renewed(LocalCluster cluster, String outcome) {
        try {
            return AdminScrape.metrics(cluster.comet.adminPort()).value("goim_comet_renewed_connections_total", "outcome", outcome);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
