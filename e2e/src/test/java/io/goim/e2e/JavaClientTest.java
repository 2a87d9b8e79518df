package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.client.Backoff;
import io.goim.client.GoimClient;
import io.goim.comet.CometServer;
import io.goim.libs.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Java client library against the real cluster: auth, pushes, and reconnect after a comet restart. */
@ClusterTest
class JavaClientTest {
    /** On the shared cluster: a user of its own, pushed to by user id only. */
    @Test
    void tcpClientAuthenticatesAndReceivesPushes(LocalCluster cluster) throws Exception {
        long uid = cluster.newId();
        ClientRecorder rec = new ClientRecorder();
        try (GoimClient client = GoimClient.tcp("127.0.0.1", cluster.comet.tcpPort())
                .token(Long.toString(uid)).listener(rec).build()) {
            client.start().get(10, TimeUnit.SECONDS);
            assertTrue(client.isAuthenticated());
            assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=" + uid, "{\"n\":1}").body());
            assertEquals("5:{\"n\":1}", rec.pushes.poll(10, TimeUnit.SECONDS));
            assertTrue(client.send(4, "echo".getBytes(StandardCharsets.UTF_8)));
            assertEquals("5:echo", rec.pushes.poll(10, TimeUnit.SECONDS), "op 4 is answered with op 5");
        }
    }

    @Test
    void clientReconnectsAndReauthenticatesAfterTheCometRestarts(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster own = newCluster.start()) {
            int tcpPort = own.comet.tcpPort();
            ClientRecorder rec = new ClientRecorder();
            try (GoimClient client = GoimClient.tcp("127.0.0.1", tcpPort)
                    .token("5002")
                    .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)))
                    .listener(rec).build()) {
                client.start().get(10, TimeUnit.SECONDS);
                own.comet.close();
                Await.until("client notices the comet is gone", Duration.ofSeconds(10), () -> rec.disconnects.get() >= 1);
                try (CometServer again = CometServer.start(own.cometConfig(1, Map.of("comet.tcp.port", tcpPort)))) {
                    Await.until("client re-authenticates", Duration.ofSeconds(10), () -> rec.auths.get() == 2);
                    assertTrue(client.isAuthenticated());
                    assertEquals(1, again.online());
                }
            }
        }
    }
}
