package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * goim v2's own example browser client ({@code goim-v2-example/client.js}, byte for byte as
 * goim ships it) in real headless Chromium against our comet: it logs in with v2's JSON body
 * ({@code mid} 123, room {@code live://1000}, accepts 1000–1002) over binary WebSocket frames,
 * heartbeats, and shows what the v2 HTTP API pushes to it — by user, by typed room and to
 * everyone — and nothing of an operation it does not accept. The page around the client is
 * ours (goim's index.html hard-codes its demo host); it only tells the client where the comet
 * is. Skipped only where no Chromium is installed.
 */
@ClusterTest
class GoimV2BrowserClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static LocalCluster cluster;
    private static Path site;

    @BeforeAll
    static void start(LocalCluster.Builder newCluster) throws Exception {
        assumeTrue(HeadlessChromium.binary() != null, "no chromium installed");
        cluster = newCluster.start();
        site = Files.createTempDirectory("goim-v2-client");
        try (InputStream client = GoimV2BrowserClientTest.class.getResourceAsStream("/goim-v2-example/client.js")) {
            Files.write(site.resolve("client.js"), client.readAllBytes());
        }
        // The client opens `new WebSocket('ws://<goim demo host>/sub')`; the constructor below
        // hands it a socket to this comet's /sub instead, so client.js stays unchanged.
        Files.writeString(site.resolve("index.html"), """
                <html><head><meta charset="utf-8"></head><body>
                <span id="status"></span><div id="box"></div>
                <script>
                  window.received = [];
                  (function () {
                    var Native = window.WebSocket;
                    window.WebSocket = function () { return new Native('ws://127.0.0.1:%d/sub'); };
                  })();
                </script>
                <script src="client.js"></script>
                <script>new MyClient({notify: function (body) { window.received.push(body); }});</script>
                </body></html>
                """.formatted(cluster.comet.websocketPort()), StandardCharsets.UTF_8);
    }

    @Test
    void goimsV2ClientLogsInHeartbeatsAndGetsExactlyThePushesItAccepts() throws Exception {
        try (HeadlessChromium browser = new HeadlessChromium(site.resolve("index.html").toUri().toString())) {
            browser.awaitValue("document.getElementById('status').textContent", "ok", WAIT);
            browser.awaitValue("String(document.getElementById('box').textContent.includes('receive: heartbeat reply'))",
                    "true", WAIT);

            push("/goim/push/mids?operation=1000&mids=123", "mid message");
            awaitReceived(browser, "[\"mid message\"]");
            push("/goim/push/room?operation=1001&type=live&room=1000", "room message");
            awaitReceived(browser, "[\"mid message\",\"room message\"]");
            push("/goim/push/all?operation=1002", "broadcast message");
            awaitReceived(browser, "[\"mid message\",\"room message\",\"broadcast message\"]");

            // 1003 is not among the operations the client accepts; the push after it (same
            // user, same Kafka partition, so in order) shows the first had its chance.
            push("/goim/push/mids?operation=1003&mids=123", "not accepted");
            push("/goim/push/room?operation=1001&type=live&room=2000", "other room");
            push("/goim/push/mids?operation=1000&mids=123", "after");
            awaitReceived(browser, "[\"mid message\",\"room message\",\"broadcast message\",\"after\"]");

            JsonNode online = JSON.readTree(get("/goim/online/room?type=live&rooms=1000"));
            assertEquals(0, online.path("code").asInt(), online.toString());
            assertEquals(1, online.path("data").path("1000").asInt(), online.toString());
        }
    }

    private static void push(String pathAndQuery, String body) throws Exception {
        JsonNode answer = JSON.readTree(cluster.post(pathAndQuery, body).body());
        assertEquals(0, answer.path("code").asInt(), pathAndQuery + " answered " + answer);
    }

    private static String get(String pathAndQuery) throws Exception {
        var response = cluster.get(pathAndQuery);
        assertTrue(response.statusCode() == 200, pathAndQuery + " answered HTTP " + response.statusCode());
        return response.body();
    }

    private static void awaitReceived(HeadlessChromium browser, String expectedJson) throws Exception {
        browser.awaitValue("JSON.stringify(window.received)", expectedJson, WAIT);
    }
}
