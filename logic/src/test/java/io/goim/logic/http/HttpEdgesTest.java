package io.goim.logic.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.http.HttpLimits;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.RawHttp;
import io.goim.logic.LogicMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API's edges over real sockets, with a push API whose pushes complete when the
 * test says so: pipelined answers in order (a held push is never overtaken), request and
 * idle timeouts, the connection cap, and API keys.
 */
class HttpEdgesTest {
    private final HttpApiDrainTest.HeldPushes api = new HttpApiDrainTest.HeldPushes();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ApiCounters counters = new LogicMeters(registry).http;
    private HttpApiServer server;

    private int start(HttpLimits limits, int maxPipelined, ApiKeys keys) throws InterruptedException {
        server = new HttpApiServer(new InetSocketAddress("127.0.0.1", 0), 1, 1 << 10, maxPipelined, limits, registry,
                new HttpApiHandler(api, counters, keys));
        return server.port();
    }

    private int start() throws InterruptedException {
        return start(HttpApiServer.DEFAULT_LIMITS, 16, ApiKeys.none());
    }

    @AfterEach
    void stop() throws InterruptedException {
        api.held.forEach(f -> f.complete(null));
        if (server != null) {
            server.close(Duration.ofSeconds(2));
        }
    }

    private double meter(String name, String reason) {
        return reason == null ? registry.get(name).counter().count()
                : registry.get(name).tag("reason", reason).counter().count();
    }

    @Test
    void aPushPipelinedWithAWrongMethodAndJunkIsAnsweredFirstThenTheRestInOrderThenTheClose() throws Exception {
        int port = start();
        try (RawHttp c = new RawHttp(port)) {
            c.write(RawHttp.request("POST", "/1/push?uid=7", "hello")
                    + RawHttp.request("GET", "/1/push?uid=7", "")
                    + "JUNK \u0001\u0002 NOT HTTP\r\n\r\n");
            CompletableFuture<Void> push = api.held.poll(10, TimeUnit.SECONDS);
            assertTrue(push != null, "the push reached the API");
            c.setReadTimeout(300);
            assertThrows(SocketTimeoutException.class, c::read,
                    "nothing is answered while the first request, the push, waits for its ack");
            c.setReadTimeout(10_000);
            push.complete(null);
            RawHttp.Response first = c.read();
            assertEquals(200, first.status());
            assertEquals("{\"ret\":1}", first.body());
            RawHttp.Response second = c.read();
            assertEquals(405, second.status(), second.body());
            RawHttp.Response third = c.read();
            assertEquals(400, third.status(), third.body());
            assertTrue(third.body().contains("malformed HTTP request"), third.body());
            assertTrue(c.closedByServer(), "the junk closes the connection, after the answers before it");
        }
    }

    @Test
    void manyPipelinedRequestsBeyondTheQueueBoundAreAllAnsweredInOrder() throws Exception {
        int port = start(HttpApiServer.DEFAULT_LIMITS, 2, ApiKeys.none());
        StringBuilder all = new StringBuilder(RawHttp.request("POST", "/1/push?uid=1", "first"));
        List<Integer> expected = new ArrayList<>(List.of(200));
        for (int i = 0; i < 20; i++) {
            boolean known = i % 2 == 0;
            all.append(RawHttp.request("GET", known ? "/1/count?type=room" : "/1/nope" + i, ""));
            expected.add(known ? 200 : 404);
        }
        try (RawHttp c = new RawHttp(port)) {
            c.write(all.toString());
            api.held.poll(10, TimeUnit.SECONDS).complete(null);
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                RawHttp.Response r = c.read();
                got.add(r.status());
                if (r.status() == 404) {
                    assertTrue(r.body().contains("/1/nope" + (i - 1)), "answer " + i + " in order: " + r.body());
                }
            }
            assertEquals(expected, got);
            c.setReadTimeout(300);
            assertFalse(c.closedByServer(), "the connection stays open");
        }
    }

    @Test
    void aTrickledHeaderIsClosedAfterTheRequestTimeoutWhileAGoodRequestIsServed() throws Exception {
        int port = start(new HttpLimits(Duration.ofMillis(400), Duration.ofSeconds(30), 100), 16, ApiKeys.none());
        try (RawHttp slow = new RawHttp(port)) {
            slow.write("POST /1/push?uid=1 HTTP/1.1\r\n");
            long start = System.nanoTime();
            boolean closed = false;
            // One header byte every 50 ms: each write would reset an idle timer, not this one.
            for (int i = 0; i < 200 && !closed; i++) {
                try {
                    slow.write("X");
                } catch (java.io.IOException e) {
                    closed = true;
                    break;
                }
                Thread.sleep(50); // the trickle's pace, not a wait for a condition
                closed = meter("goim_logic_http_timeouts", "request") == 1;
            }
            assertTrue(closed, "closed by the request timeout");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= 350 && ms < 5_000, "closed after " + ms + " ms");
            slow.setReadTimeout(5_000);
            assertTrue(slow.closedByServer());
        }
        try (RawHttp good = new RawHttp(port)) {
            good.write(RawHttp.request("GET", "/1/count?type=room", ""));
            assertEquals(200, good.read().status(), "a good request is served (within its own timeout)");
        }
        assertEquals(0, meter("goim_logic_http_timeouts", "idle"));
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAndAnIdleKeepAliveOneToo() throws Exception {
        int port = start(new HttpLimits(Duration.ofMillis(300), Duration.ofMillis(500), 100), 16, ApiKeys.none());
        try (RawHttp silent = new RawHttp(port); RawHttp idle = new RawHttp(port)) {
            idle.write(RawHttp.request("GET", "/1/count?type=room", ""));
            assertEquals(200, idle.read().status());
            silent.setReadTimeout(5_000);
            idle.setReadTimeout(5_000);
            assertTrue(silent.closedByServer(), "no request at all: the request timeout");
            assertTrue(idle.closedByServer(), "nothing after an answer: the idle timeout");
        }
        Await.until("both counted", Duration.ofSeconds(5), () -> meter("goim_logic_http_timeouts", "request") == 1
                && meter("goim_logic_http_timeouts", "idle") == 1);
    }

    @Test
    void overTheCapNewConnectionsAreClosedAtOnceWhileOpenOnesGoOn() throws Exception {
        int port = start(new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), 2), 16, ApiKeys.none());
        try (RawHttp a = new RawHttp(port); RawHttp b = new RawHttp(port)) {
            for (RawHttp c : List.of(a, b)) {
                c.write(RawHttp.request("GET", "/1/count?type=room", ""));
                assertEquals(200, c.read().status());
            }
            try (RawHttp third = new RawHttp(port)) {
                third.setReadTimeout(5_000);
                assertTrue(third.closedByServer(), "the third connection is closed at once");
            }
            assertEquals(1, meter("goim_logic_http_connections_refused", null));
            a.write(RawHttp.request("GET", "/1/count?type=server", ""));
            assertEquals(200, a.read().status(), "an open connection goes on");
        }
        Await.until("the cap frees up", Duration.ofSeconds(5),
                () -> registry.get("goim_logic_http_connections").gauge().value() == 0);
        try (RawHttp again = new RawHttp(port)) {
            again.write(RawHttp.request("GET", "/1/count?type=room", ""));
            assertEquals(200, again.read().status(), "closed connections free their place");
        }
    }

    @Test
    void withKeysSetARequestWithoutOrWithAWrongKeyIs401AndTheRightKeyPushes() throws Exception {
        String key = "3f0c1d2e-only-for-this-test";
        int port = start(HttpApiServer.DEFAULT_LIMITS, 16, ApiKeys.of(List.of(ApiKeys.hash("another key"),
                ApiKeys.hash(key))));
        try (RawHttp c = new RawHttp(port)) {
            c.write(RawHttp.request("POST", "/1/push?uid=1", "x"));
            RawHttp.Response missing = c.read();
            assertEquals(401, missing.status());
            assertEquals("{\"ret\":" + Ret.UNAUTHORIZED.code() + ",\"msg\":\"missing API key: send Authorization: Bearer <key>\"}",
                    missing.body());
            assertTrue(missing.headers().get("www-authenticate").startsWith("Bearer"), missing.headers().toString());

            c.write(RawHttp.request("GET", "/1/count?type=room", "", "Authorization: Bearer " + key + "x"));
            RawHttp.Response wrong = c.read();
            assertEquals(401, wrong.status());
            assertTrue(wrong.body().contains("wrong API key"), wrong.body());
            c.write(RawHttp.request("POST", "/1/nope", "", "Authorization: Basic Zm9vOmJhcg=="));
            assertEquals(401, c.read().status(), "every path needs the key: no probing without it");
            assertNull(api.held.peek(), "no refused request reached the API");

            c.write(RawHttp.request("POST", "/1/push?uid=1", "x", "Authorization: bearer " + key));
            api.held.poll(10, TimeUnit.SECONDS).complete(null);
            RawHttp.Response ok = c.read();
            assertEquals(200, ok.status(), "the connection stays open after a 401, and the key opens the API");
            assertEquals("{\"ret\":1}", ok.body());
        }
        assertEquals(3.0, registry.get("goim_logic_http_requests").tag("ret", Integer.toString(Ret.UNAUTHORIZED.code()))
                .counter().count());
    }

    @Test
    void keysMustBeSha256HexEntries() {
        assertEquals("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", ApiKeys.hash("foo"));
        assertFalse(ApiKeys.of(List.of()).required());
        assertTrue(ApiKeys.of(List.of("SHA256:2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE"))
                .accepts("Bearer foo"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.of(List.of(ApiKeys.hash("a"), "plain-text-key")));
        assertEquals("entry 2 is not \"sha256:<64 hex digits>\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.of(List.of("sha256:" + "zz".repeat(32))));
    }
}
