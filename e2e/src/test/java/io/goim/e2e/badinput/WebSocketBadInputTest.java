package io.goim.e2e.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.e2e.ClusterTest;
import io.goim.e2e.LocalCluster;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.RawWsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input on comet's client WebSocket port, over real sockets against a whole cluster;
 * each case is followed by a good client that logs in and receives a push. The
 * per-address cap is 4 here, tried from 127.0.0.2; the good clients come from 127.0.0.1.
 */
@ClusterTest
class WebSocketBadInputTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start(LocalCluster.Builder newCluster) throws Exception {
        cluster = newCluster
                .comet("comet.limits.per-ip-connections", 4)
                .comet("comet.slow-consumer-timeout", "2s")
                .start();
    }

    private static AdminScrape.Metrics metrics() {
        try {
            return AdminScrape.metrics(cluster.comet.adminPort());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("scraping comet's metrics", e);
        }
    }

    @Test
    void loginHeartbeatAndTestOpInOneWriteAreAllAnsweredInOrder() throws Exception {
        try (RawWsClient client = new RawWsClient("127.0.0.1", cluster.comet.websocketPort(), 0)) {
            client.send(RawWsClient.text("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":7401}"),
                    RawWsClient.text("{\"ver\":1,\"op\":2,\"seq\":2,\"body\":{}}"),
                    RawWsClient.text("{\"ver\":1,\"op\":254,\"seq\":3,\"body\":{}}"));
            assertTrue(client.receive(RawWsClient.TEXT).text().contains("\"op\":8,\"seq\":1"));
            assertTrue(client.receive(RawWsClient.TEXT).text().contains("\"op\":3,\"seq\":2"));
            assertTrue(client.receive(RawWsClient.TEXT).text().contains("\"op\":255,\"seq\":3"));
        }
        GoodClient.webSocketLogsInAndGetsAPush(cluster, 7401);
    }

    @Test
    void pingFloodFromAClientThatReadsNothingIsClosedAsASlowConsumer() throws Exception {
        double slowBefore = metrics().value("goim_comet_protocol_errors_total", "kind", "slow_consumer");
        long flood = 64L << 20;
        AtomicLong sent = new AtomicLong();
        try (RawWsClient flooder = new RawWsClient("127.0.0.1", cluster.comet.websocketPort(), 4096)) {
            flooder.send(RawWsClient.text("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":7402}"));
            assertTrue(flooder.receive(RawWsClient.TEXT).text().contains("\"op\":8"));
            CompletableFuture<Void> writer = flooder.floodPings(flood, sent);
            Await.until("the flooder is closed as a slow consumer", Duration.ofSeconds(30),
                    () -> metrics().value("goim_comet_protocol_errors_total", "kind", "slow_consumer") > slowBefore);
            writer.get(30, TimeUnit.SECONDS);
            assertTrue(sent.get() < flood, "comet stopped reading the pings: the client wrote " + sent.get() + " bytes");
            // Whether a ping is still held when the connection closes (and so counted
            // unanswered) depends on where a read ended when the connection stopped being
            // writable; PacedWebSocketProtocolHandlerTest covers those cases one by one.
        }
        GoodClient.webSocketLogsInAndGetsAPush(cluster, 7402);
    }

    @Test
    void aConnectionOverThePerAddressCapIsClosedAtOnce() throws Exception {
        double before = metrics().value("goim_comet_connections_refused_total", "reason", "per_ip_connections");
        List<RawWsClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawWsClient c = new RawWsClient("127.0.0.1", cluster.comet.websocketPort(), 0, "127.0.0.2");
                held.add(c);
                c.send(RawWsClient.text("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":" + (7410 + i) + "}"));
                assertTrue(c.receive(RawWsClient.TEXT).text().contains("\"op\":8"));
            }
            try {
                new RawWsClient("127.0.0.1", cluster.comet.websocketPort(), 0, "127.0.0.2").close();
                throw new AssertionError("the fifth connection from 127.0.0.2 completed its handshake");
            } catch (IOException expected) {
                // closed before the handshake's answer
            }
            assertEquals(before + 1, metrics().value("goim_comet_connections_refused_total", "reason", "per_ip_connections"));
        } finally {
            for (RawWsClient c : held) {
                c.close();
            }
        }
        GoodClient.webSocketLogsInAndGetsAPush(cluster, 7403);
    }
}
