package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.router.RouterServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Logic's admin port: metrics scraped and parsed, readiness following Kafka and the routers. */
class LogicAdminTest {

    private static int readyStatus(int port) {
        try {
            return AdminScrape.status(port, "/ready");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void metricsCountPushesKafkaSendsAndRouterCalls() throws Exception {
        try (LogicHarness h = new LogicHarness(2, Map.of("logic.admin.ready-timeout", "5s"))) {
            int port = h.logic.adminPort();
            Await.until("logic ready", Duration.ofSeconds(30), () -> readyStatus(port) == 200);
            AdminScrape.Metrics before = AdminScrape.metrics(port);
            assertEquals(0.0, before.value("goim_logic_http_requests_total", "ret", "1"));

            h.connect("42", 1); // so the push to user 42 goes to Kafka
            assertEquals(200, h.post("/1/push?uid=42", "hi").statusCode());
            assertEquals(200, h.post("/1/push/room?rid=1", "hi").statusCode());
            assertEquals(400, h.post("/1/push?uid=notanumber", "hi").statusCode());

            AdminScrape.Metrics m = AdminScrape.metrics(port);
            assertEquals(2.0, m.value("goim_logic_http_requests_total", "ret", "1"));
            assertEquals(1.0, m.value("goim_logic_http_requests_total", "ret", "65534"));
            assertEquals(2.0, m.value("goim_logic_kafka_send_seconds_count", "outcome", "ok"));
            assertEquals(0.0, m.value("goim_logic_kafka_send_seconds_count", "outcome", "error"));
            assertTrue(m.value("goim_logic_kafka_send_seconds_sum", "outcome", "ok") > 0);
            double routerCalls = m.samples().stream()
                    .filter(s -> s.name().equals("grpc_client_processing_duration_seconds_count")
                            && "MGet".equals(s.labels().get("method")) && "OK".equals(s.labels().get("statusCode"))
                            && s.labels().get("peer").startsWith("router-"))
                    .mapToDouble(AdminScrape.Sample::value).sum();
            assertEquals(1.0, routerCalls, "the MGet for user 42 is timed, tagged with its router");
        }
    }

    @Test
    void notReadyWhileARouterIsDownAndReadyWhenItIsBack() throws Exception {
        try (LogicHarness h = new LogicHarness(2, Map.of("logic.admin.ready-timeout", "5s"))) {
            int port = h.logic.adminPort();
            Await.until("logic ready", Duration.ofSeconds(30), () -> readyStatus(port) == 200);
            RouterServer second = h.routers.get(1);
            int grpcPort = second.grpcPort();
            second.close();
            HttpResponse<String> ready = AdminScrape.get(port, "/ready");
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("router 2"), ready.body());

            try (RouterServer back = RouterServer.start(LogicHarness.config(Map.of("router.grpc.port", grpcPort)))) {
                Await.until("logic ready again", Duration.ofSeconds(30), () -> readyStatus(port) == 200);
            }
        }
    }

    @Test
    void notReadyWhenKafkaIsDown() throws Exception {
        try (LogicHarness h = new LogicHarness(1, Map.of("logic.admin.ready-timeout", "2s"))) {
            int port = h.logic.adminPort();
            Await.until("logic ready", Duration.ofSeconds(30), () -> readyStatus(port) == 200);
            h.stopKafka();
            Await.until("logic not ready", Duration.ofSeconds(30), () -> readyStatus(port) == 503);
            String body = AdminScrape.get(port, "/ready").body();
            assertTrue(body.contains("kafka topic KafkaPushsTopic"), body);
        }
    }
}
