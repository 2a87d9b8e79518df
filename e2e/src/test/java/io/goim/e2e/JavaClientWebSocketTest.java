package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.client.Backoff;
import io.goim.client.GoimClient;
import io.goim.comet.CometServer;
import io.goim.libs.testing.Await;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Java client library over WebSocket against the real cluster: auth, pushes, reconnect after a comet restart. */
@ClusterTest
class JavaClientWebSocketTest {

    private static URI sub(int port) {
        return URI.create("ws://127.0.0.1:" + port + "/sub");
    }

    @Test
    void webSocketClientAuthenticatesReceivesPushesAndReconnectsAfterTheCometRestarts(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = newCluster.start()) {
            int wsPort = cluster.comet.websocketPort();
            ClientRecorder rec = new ClientRecorder();
            try (GoimClient client = GoimClient.webSocket(sub(wsPort))
                    .token("5003")
                    .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)))
                    .listener(rec).build()) {
                client.start().get(10, TimeUnit.SECONDS);
                assertTrue(client.isAuthenticated());
                assertEquals(1, cluster.comet.online());

                assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=5003", "{\"n\":1}").body());
                assertEquals("5:{\"n\":1}", rec.pushes.poll(10, TimeUnit.SECONDS), "the push body as JSON text");
                assertTrue(client.send(4, "{\"echo\":true}".getBytes(StandardCharsets.UTF_8)));
                assertEquals("5:{\"echo\":true}", rec.pushes.poll(10, TimeUnit.SECONDS), "op 4 is answered with op 5");

                cluster.comet.close();
                Await.until("client notices the comet is gone", Duration.ofSeconds(10), () -> rec.disconnects.get() >= 1);
                try (CometServer again = CometServer.start(cluster.cometConfig(1, Map.of("comet.websocket.port", wsPort)))) {
                    Await.until("client re-authenticates", Duration.ofSeconds(10), () -> rec.auths.get() == 2);
                    assertTrue(client.isAuthenticated());
                    assertEquals(1, again.online());
                }
            }
        }
    }
}
