package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.libs.testing.TcpTestClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every service's admin port in a whole cluster: {@code /metrics} scraped and parsed while
 * a real TCP client authenticates, misbehaves and receives a push; {@code /ready} of each
 * service flipping when the dependency it checks goes away.
 */
@ClusterTest
class MetricsE2ETest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static int ready(int port) {
        try {
            return AdminScrape.status(port, "/ready");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void metricsOfEveryServiceFollowAClientAndAPush(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster c = newCluster.start()) {
            int comet = c.comet.adminPort();
            AdminScrape.Metrics before = AdminScrape.metrics(comet);
            assertEquals(0.0, before.value("goim_comet_connections", "service", "comet"));
            assertEquals(0.0, before.value("goim_comet_auth_total", "result", "ok"));

            try (TcpTestClient client = new TcpTestClient("127.0.0.1", c.comet.tcpPort());
                    TcpTestClient rude = new TcpTestClient("127.0.0.1", c.comet.tcpPort())) {
                client.send(Op.AUTH, 1, "42");
                assertEquals(Op.AUTH_REPLY, client.receive().op());
                rude.send(Op.HEARTBEAT, 1, ""); // before auth: a protocol error, connection closed
                Await.until("rude client closed", WAIT, () -> Counts.of(c.comet.registry(),
                        "goim_comet_protocol_errors", "kind", "not_authenticated") == 1);

                AdminScrape.Metrics m = AdminScrape.metrics(comet);
                assertEquals(1.0, m.value("goim_comet_connections"));
                assertEquals(1.0, m.value("goim_comet_rooms"), "goim's default auth puts users in room 1");
                assertEquals(1.0, m.value("goim_comet_auth_total", "result", "ok"));
                assertEquals(1.0, m.value("goim_comet_protocol_errors_total", "kind", "not_authenticated"));
                assertEquals(0.0, m.value("goim_comet_protocol_errors_total", "kind", "packet_length"));
                assertEquals(1.0, m.value("grpc_client_processing_duration_seconds_count",
                        "peer", "logic", "method", "Connect", "statusCode", "OK"));
                assertEquals(1.0, AdminScrape.metrics(c.router.adminPort()).value("goim_router_sessions"));

                HttpResponse<String> res = c.post("/1/push?uid=42", "hello");
                assertEquals("{\"ret\":1}", res.body());
                assertEquals("hello", client.receive().bodyText());

                // The server's call meter records a call when it closes, which may come just
                // after the client read the push the call queued: wait for it, then read the rest.
                Await.until("the push counted as one PushMsg/MPushMsg call", WAIT,
                        () -> pushCalls(scrape(comet)) == 1.0);
                AdminScrape.Metrics after = AdminScrape.metrics(comet);
                assertEquals(1.0, after.value("goim_comet_pushes_total", "outcome", "queued"));
                assertEquals(0.0, after.value("goim_comet_pushes_total", "outcome", "dropped"));
                assertEquals(1.0, pushCalls(after), "the push arrived as one PushMsg/MPushMsg call");

                AdminScrape.Metrics logic = AdminScrape.metrics(c.logic.adminPort());
                assertEquals(1.0, logic.value("goim_logic_http_requests_total", "ret", "1"));
                assertEquals(1.0, logic.value("goim_logic_kafka_send_seconds_count", "outcome", "ok"));
                Await.until("job counted the delivery", WAIT, () -> Counts.of(c.job.registry(), "goim_job_push_calls",
                        "kind", "user", "outcome", "ok") == 1);
                AdminScrape.Metrics job = AdminScrape.metrics(c.job.adminPort());
                assertEquals(1.0, job.value("goim_job_consumed_total"));
                assertEquals(1.0, job.value("goim_job_push_calls_total", "kind", "user", "outcome", "ok"));
            }
            Await.until("comet counts the client gone", WAIT, () -> c.comet.online() == 0);
            assertEquals(0.0, AdminScrape.metrics(comet).value("goim_comet_connections"));
        }
    }

    @Test
    void readinessFollowsEachServicesDependencies(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster c = newCluster.start()) {
            for (int port : new int[] {c.router.adminPort(), c.logic.adminPort(), c.comet.adminPort(),
                    c.job.adminPort()}) {
                Await.until("ready on admin port " + port, WAIT, () -> ready(port) == 200);
            }
            c.logic.close();
            HttpResponse<String> comet = AdminScrape.get(c.comet.adminPort(), "/ready");
            assertEquals(503, comet.statusCode());
            assertTrue(comet.body().contains("logic"), comet.body());
            assertEquals(200, AdminScrape.status(c.comet.adminPort(), "/health"), "alive, just not ready");

            c.comet.close();
            HttpResponse<String> job = AdminScrape.get(c.job.adminPort(), "/ready");
            assertEquals(503, job.statusCode());
            assertTrue(job.body().contains("comet 1"), job.body());
        }
    }

    /** A scrape inside a condition: a failed one reads as no samples. */
    private static AdminScrape.Metrics scrape(int port) {
        try {
            return AdminScrape.metrics(port);
        } catch (IOException e) {
            return new AdminScrape.Metrics(List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AdminScrape.Metrics(List.of());
        }
    }

    /** Push calls (PushMsg, MPushMsg, MPushMsgs) comet's gRPC server recorded. */
    private static double pushCalls(AdminScrape.Metrics m) {
        return m.samples().stream()
                .filter(s -> s.name().equals("grpc_server_processing_duration_seconds_count")
                        && s.labels().get("method").contains("PushMsg"))
                .mapToDouble(AdminScrape.Sample::value).sum();
    }
}
