package io.goim.e2e.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.client.GoimClient;
import io.goim.e2e.ClientRecorder;
import io.goim.e2e.LocalCluster;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** The check after every bad-input case: a well-behaved client still logs in and receives a push. */
final class GoodClient {
    private GoodClient() {
    }

    /** A TCP client of user {@code uid} logs in to the cluster's comet and receives a push. */
    static void tcpLogsInAndGetsAPush(LocalCluster cluster, long uid) throws Exception {
        check(cluster, uid, GoimClient.tcp("127.0.0.1", cluster.comet.tcpPort()));
    }

    /** A WebSocket client of user {@code uid} logs in to the cluster's comet and receives a push. */
    static void webSocketLogsInAndGetsAPush(LocalCluster cluster, long uid) throws Exception {
        check(cluster, uid, GoimClient.webSocket(URI.create("ws://127.0.0.1:" + cluster.comet.websocketPort() + "/sub")));
    }

    private static void check(LocalCluster cluster, long uid, GoimClient.Builder builder) throws Exception {
        ClientRecorder rec = new ClientRecorder();
        try (GoimClient client = builder.token(Long.toString(uid)).listener(rec).build()) {
            client.start().get(15, TimeUnit.SECONDS);
            assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=" + uid, "{\"good\":" + uid + "}").body());
            assertEquals("5:{\"good\":" + uid + "}", rec.pushes.poll(15, TimeUnit.SECONDS), "the good client's push");
        }
    }
}
