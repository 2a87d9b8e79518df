package io.goim.libs.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.goim.libs.config.Listen;
import io.goim.libs.http.HttpLimits;
import io.goim.libs.testing.Await;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private static final HttpClient http = HttpClient.newHttpClient();

    private static HttpResponse<String> get(AdminServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesMetricsHealthAndReadinessThatFlips() throws Exception {
        PrometheusMeterRegistry registry = AdminServer.newRegistry("test");
        Counter.builder("goim_test_events").register(registry).increment(3);
        AtomicReference<Readiness> state = new AtomicReference<>(Readiness.ok());
        try (AdminServer admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), registry,
                () -> CompletableFuture.completedFuture(state.get()), Duration.ofSeconds(1))) {
            HttpResponse<String> metrics = get(admin, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("goim_test_events_total{service=\"test\"} 3.0"), metrics.body());
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM metrics are bound");

            assertEquals(200, get(admin, "/health").statusCode());
            assertEquals(200, get(admin, "/ready").statusCode());
            state.set(Readiness.notReady("kafka unreachable"));
            HttpResponse<String> ready = get(admin, "/ready");
            assertEquals(503, ready.statusCode());
            assertEquals("{\"ready\":false,\"detail\":\"kafka unreachable\"}", ready.body());
            assertEquals(404, get(admin, "/nope").statusCode());
        }
    }

    @Test
    void aReadinessCheckThatHangsAnswers503AfterTheTimeout() throws Exception {
        try (AdminServer admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), AdminServer.newRegistry("test"),
                CompletableFuture::new, Duration.ofMillis(200))) {
            HttpResponse<String> ready = get(admin, "/ready");
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("timed out"), ready.body());
        }
    }

    @Test
    void aTrickledRequestIsClosedAfterTheRequestTimeoutAndOverTheCapNewConnectionsAreClosedAtOnce() throws Exception {
        PrometheusMeterRegistry registry = AdminServer.newRegistry("test");
        AdminConfig config = new AdminConfig(new Listen("127.0.0.1", 0), Duration.ofSeconds(1),
                new HttpLimits(Duration.ofMillis(300), Duration.ofMillis(300), 2));
        try (AdminServer admin = new AdminServer("test", config, registry,
                () -> CompletableFuture.completedFuture(Readiness.ok()))) {
            try (Socket slow = connect(admin); Socket idle = connect(admin)) {
                slow.getOutputStream().write("GET /health HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                try (Socket third = connect(admin)) {
                    assertEquals(-1, third.getInputStream().read(), "over the cap: closed at once");
                }
                assertEquals(1.0, registry.get("goim_test_admin_connections_refused").counter().count());
                for (int i = 0; i < 3; i++) {
                    slow.getOutputStream().write('x'); // a trickle, well inside the timeout each time
                    Thread.sleep(50); // the trickle's pace
                }
                assertEquals(-1, slow.getInputStream().read(), "closed by request-timeout");
                assertEquals(-1, idle.getInputStream().read(), "a connection that sends nothing too");
            }
            Await.until("both timeouts counted", Duration.ofSeconds(5),
                    () -> registry.get("goim_test_admin_timeouts").tag("reason", "request").counter().count() == 2);
            Await.until("connections closed", Duration.ofSeconds(5),
                    () -> registry.get("goim_test_admin_connections").gauge().value() == 0);
            assertEquals(200, get(admin, "/health").statusCode(), "a good request still works");
        }
    }

    private static Socket connect(AdminServer admin) throws Exception {
        Socket s = new Socket("127.0.0.1", admin.port());
        s.setSoTimeout(5_000);
        return s;
    }

    @Test
    void readinessOfManyChecksNamesThoseThatFailed() {
        CompletableFuture<Readiness> up = Readiness.ofCall("router 1", CompletableFuture.completedFuture("pong"));
        CompletableFuture<Readiness> down = Readiness.ofCall("router 2",
                CompletableFuture.failedFuture(new IllegalStateException("refused")));
        assertEquals(Readiness.notReady("router 2: IllegalStateException refused"),
                Readiness.all(java.util.List.of(up, down)).join());
        assertEquals(Readiness.ok(), Readiness.any(java.util.List.of(up, down)).join());
        assertEquals(false, Readiness.any(java.util.List.of(down)).join().ready());
        assertEquals(Readiness.ok(), Readiness.all(java.util.List.of()).join());
    }
}
