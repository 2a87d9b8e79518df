package io.goim.e2e.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.client.GoimClient;
import io.goim.e2e.ClientRecorder;
import io.goim.e2e.ClusterTest;
import io.goim.e2e.LocalCluster;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.RawHttp;
import io.goim.logic.http.ApiKeys;
import io.goim.logic.http.Ret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input on logic's HTTP push API over real sockets, against a whole cluster with API
 * keys on (as the production example config has them): pipelined requests mixing a push,
 * a wrong method and junk; slowloris connections; missing and wrong keys. After each
 * case a good client still logs in and receives a push sent through the API.
 */
@ClusterTest
class HttpBadInputTest {
    private static final String KEY = "e2e-push-key-7f3a9c";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicLong nextUid = new AtomicLong(71_000);
    private static LocalCluster cluster;

    @BeforeAll
    static void start(LocalCluster.Builder newCluster) throws Exception {
        cluster = newCluster
                .logic("logic.http.api-keys", List.of(ApiKeys.hash(KEY)))
                .logic("logic.http.request-timeout", REQUEST_TIMEOUT.toMillis() + "ms")
                .start();
    }

    @Test
    void aPushAWrongMethodAndJunkInOneWriteAreAnsweredInOrderThePushFirst() throws Exception {
        ClientRecorder rec = new ClientRecorder();
        long uid = nextUid.incrementAndGet();
        try (GoimClient client = login(uid, rec); RawHttp c = new RawHttp(cluster.logic.httpPort())) {
            c.write(request("POST", "/1/push?uid=" + uid, "{\"pipelined\":1}", true)
                    + request("GET", "/1/push?uid=" + uid, "", true)
                    + "\u0000\u0001JUNK\r\n\r\n");
            RawHttp.Response push = c.read();
            assertEquals(200, push.status(), push.body());
            assertEquals("{\"ret\":1}", push.body());
            RawHttp.Response method = c.read();
            assertEquals(405, method.status(), method.body());
            RawHttp.Response junk = c.read();
            assertEquals(400, junk.status(), junk.body());
            assertTrue(junk.body().contains("malformed HTTP request"), junk.body());
            assertTrue(c.closedWithin(Duration.ofSeconds(5)), "the junk closes the connection, after the push's answer");
            assertEquals("5:{\"pipelined\":1}", rec.pushes.poll(10, TimeUnit.SECONDS), "the accepted push was delivered");
        }
        aGoodClientStillLogsInAndReceivesAPush();
    }

    @Test
    void slowlorisConnectionsAreClosedAfterTheRequestTimeout() throws Exception {
        List<RawHttp> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                RawHttp r = new RawHttp(cluster.logic.httpPort());
                r.write("POST /1/push?uid=1 HTTP/1.1\r\nHost: logic\r\n");
                slow.add(r);
            }
            long started = System.nanoTime();
            // A header byte from each every 100 ms, until the server has closed them all.
            long deadline = started + TimeUnit.SECONDS.toNanos(15);
            int open = slow.size();
            while (open > 0 && System.nanoTime() < deadline) {
                open = 0;
                for (RawHttp r : slow) {
                    if (!r.closedWithin(Duration.ofMillis(1))) {
                        open++;
                        r.trickle("X");
                    }
                }
                Thread.sleep(100); // the trickle's pace
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(0, open, "every trickling connection closed");
            assertTrue(ms >= REQUEST_TIMEOUT.toMillis() - 100, "not before the request timeout: " + ms + " ms");
            Await.until("20 request timeouts counted", Duration.ofSeconds(5),
                    () -> metric("goim_logic_http_timeouts_total{reason=\"request\"") >= 20);
        } finally {
            for (RawHttp r : slow) {
                r.close();
            }
        }
        aGoodClientStillLogsInAndReceivesAPush();
    }

    @Test
    void aMissingOrWrongApiKeyIs401() throws Exception {
        ClientRecorder rec = new ClientRecorder();
        long uid = nextUid.incrementAndGet();
        try (GoimClient client = login(uid, rec); RawHttp c = new RawHttp(cluster.logic.httpPort())) {
            c.write(request("POST", "/1/push?uid=" + uid, "no key", false));
            RawHttp.Response missing = c.read();
            assertEquals(401, missing.status());
            assertTrue(missing.body().startsWith("{\"ret\":" + Ret.UNAUTHORIZED.code() + ",\"msg\":\"missing API key"),
                    missing.body());
            c.write(request("POST", "/1/push?uid=" + uid, "wrong key", false)
                    .replace("\r\n\r\n", "\r\nAuthorization: Bearer not-" + KEY + "\r\n\r\n"));
            RawHttp.Response wrong = c.read();
            assertEquals(401, wrong.status());
            assertTrue(wrong.body().contains("wrong API key"), wrong.body());
            c.write(request("GET", "/1/count?type=room", "", false));
            assertEquals(401, c.read().status(), "reads need the key too");
            assertEquals(null, rec.pushes.poll(300, TimeUnit.MILLISECONDS), "nothing was pushed");
        }
        assertTrue(metric("goim_logic_http_requests_total{ret=\"" + Ret.UNAUTHORIZED.code() + "\"") >= 3);
        aGoodClientStillLogsInAndReceivesAPush();
    }

    private static void aGoodClientStillLogsInAndReceivesAPush() throws Exception {
        ClientRecorder rec = new ClientRecorder();
        long uid = nextUid.incrementAndGet();
        try (GoimClient client = login(uid, rec)) {
            HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + cluster.logic.httpPort() + "/1/push?uid=" + uid))
                    .header("Authorization", "Bearer " + KEY)
                    .timeout(Duration.ofSeconds(15))
                    .POST(HttpRequest.BodyPublishers.ofString("after")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, res.statusCode(), res.body());
            assertEquals("{\"ret\":1}", res.body());
            assertEquals("5:after", rec.pushes.poll(10, TimeUnit.SECONDS));
        }
    }

    private static GoimClient login(long uid, ClientRecorder rec) throws Exception {
        GoimClient client = GoimClient.tcp("127.0.0.1", cluster.comet.tcpPort())
                .token(Long.toString(uid)).listener(rec).build();
        client.start().get(10, TimeUnit.SECONDS);
        return client;
    }

    /** The value of the first line of logic's /metrics starting with {@code prefix}; 0 when none. */
    private static double metric(String prefix) {
        String text;
        try {
            text = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + cluster.logic.adminPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("scraping logic's /metrics", e);
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static String request(String method, String target, String body, boolean withKey) {
        return method + " " + target + " HTTP/1.1\r\nHost: logic\r\n"
                + (withKey ? "Authorization: Bearer " + KEY + "\r\n" : "")
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }
}
