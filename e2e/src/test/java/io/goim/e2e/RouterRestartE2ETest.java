package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.libs.testing.TcpTestClient;
import io.goim.router.RouterServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A router restarted empty on the same port heals in seconds: logic sees its new
 * incarnation, the comet sees the routers' epoch change and renews every connection at
 * once, with comet.renew-interval at its 10-minute default, so the periodic renew plays no
 * part. Meanwhile a push to a user of that router is refused (503), never answered
 * {@code ret: 1} and lost.
 */
@ClusterTest
class RouterRestartE2ETest {
    private static final Duration HEALED_WITHIN = Duration.ofSeconds(5);

    private static TcpTestClient login(LocalCluster cluster, long uid) throws Exception {
        TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
        c.send(Op.AUTH, 1, Long.toString(uid));
        assertEquals(Op.AUTH_REPLY, c.receive().op());
        return c;
    }

    private static RouterServer restartRouter(LocalCluster cluster) throws Exception {
        int port = cluster.router.grpcPort();
        long before = cluster.router.incarnation();
        cluster.router.close();
        RouterServer restarted = RouterServer.start(cluster.routerConfig(Map.of("router.grpc.port", port)));
        assertTrue(restarted.incarnation() != before, "a new incarnation");
        return restarted;
    }

    /** RouterEpoch calls the comet made to logic that were answered. */
    private static double epochPolls(LocalCluster cluster) {
        try {
            AdminScrape.Metrics m = AdminScrape.metrics(cluster.comet.adminPort());
            return m.has("grpc_client_processing_duration_seconds_count") ? m.value(
                    "grpc_client_processing_duration_seconds_count", "peer", "logic", "method", "RouterEpoch",
                    "statusCode", "OK") : 0;
        } catch (AssertionError notYet) {
            return 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int status(LocalCluster cluster, String path) {
        try {
            return cluster.post(path, "probe").statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aPushReachesAClientWithinSecondsOfARouterRestartWithoutThePeriodicRenew(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = newCluster.start(); TcpTestClient client = login(cluster, 61)) {
            assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=61", "before").body());
            assertEquals("before", client.receive().bodyText());
            // The comet has learned the routers' epoch (its first answer), so what follows is a change.
            Await.until("the comet polled the router epoch", Duration.ofSeconds(15), () -> epochPolls(cluster) >= 2);
            long renewCalls = Counts.of(cluster.comet.registry(), "goim_comet_renew_calls", "outcome", "ok");

            try (RouterServer restarted = restartRouter(cluster)) {
                HealProbe.Healed h = HealProbe.pushUntilAccepted(cluster, 61, client, HEALED_WITHIN, () -> true);
                Duration healed = h.after();
                System.out.printf("router restart healed in %d ms (%d push(es) refused with 503 meanwhile)%n",
                        healed.toMillis(), h.refused());
                assertTrue(healed.compareTo(HEALED_WITHIN) <= 0, "healed in " + healed.toMillis() + " ms");
                assertEquals(1, restarted.sessions().count());
                assertTrue(Counts.of(cluster.comet.registry(), "goim_comet_renew_calls", "outcome", "ok") > renewCalls, "an epoch renew, not a periodic one");
                assertTrue(AdminScrape.metrics(cluster.comet.adminPort())
                        .value("goim_comet_router_epoch_changes_total") >= 1);
                assertTrue(AdminScrape.metrics(cluster.logic.adminPort())
                        .value("goim_logic_router_restarts_total") >= 1);
            }
        }
    }

    @Test
    void whileTheCometsHaveNotReannouncedAPushToAnUnknownUserIsRefusedThenAnsweredAsGoimDoes(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = newCluster
                .comet("comet.router-epoch-poll", "1h") // this comet never re-announces: the window stays open
                .logic("logic.router-heal-window", "5s")
                .start();
                TcpTestClient client = login(cluster, 62)) {
            assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=62", "before").body());
            assertEquals("before", client.receive().bodyText());
            try (RouterServer restarted = restartRouter(cluster)) {
                // Until logic's channel reaches the new router a push is refused for that
                // ("io exception"); this test is about the refusal once it has.
                Await.until("logic sees the router's new incarnation", Duration.ofSeconds(10), () -> {
                    try {
                        return AdminScrape.metrics(cluster.logic.adminPort()).value("goim_logic_router_restarts_total") >= 1;
                    } catch (Exception | AssertionError e) {
                        return false;
                    }
                });
                HttpResponse<String> res = cluster.post("/1/push?uid=62", "in the window");
                assertEquals(503, res.statusCode(), res.body());
                assertTrue(res.body().contains("relearning"), res.body());
                // Past the heal window a user nobody vouched for is offline: {"ret":1}, nothing written (goim).
                Await.until("the heal window closes", Duration.ofSeconds(15), () -> status(cluster, "/1/push?uid=62") == 200);
                assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=62", "after the window").body());
                assertEquals(0, restarted.sessions().count());
            }
        }
    }
}
