package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.libs.testing.TcpTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The foundation's promise, end to end over real sockets and a real Kafka broker: a TCP
 * client authenticates through comet → logic → router, heartbeats, receives a push sent
 * to logic's HTTP API through Kafka and job, and is forgotten by the router when it
 * disconnects.
 */
@ClusterTest
class VerticalSliceTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start(LocalCluster.Builder newCluster) throws Exception {
        cluster = newCluster.start();
    }

    @Test
    void tcpClientAuthenticatesHeartbeatsReceivesAPushAndIsForgottenOnClose() throws Exception {
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            client.send(Op.AUTH, 1, "42");
            TcpTestClient.Received authReply = client.receive();
            assertEquals(Op.AUTH_REPLY, authReply.op());
            assertEquals(1, authReply.seq());
            assertEquals(1, cluster.router.sessions().userCount(42));
            assertEquals(1, cluster.router.sessions().roomCount("1"), "goim's default auth puts users in room 1");

            client.send(Op.HEARTBEAT, 7, "");
            TcpTestClient.Received hb = client.receive();
            assertEquals(Op.HEARTBEAT_REPLY, hb.op());
            assertEquals(7, hb.seq());

            HttpResponse<String> res = cluster.post("/1/push?uid=42", "{\"hello\":1}");
            assertEquals(200, res.statusCode());
            assertEquals("{\"ret\":1}", res.body());

            TcpTestClient.Received push = client.receive();
            assertEquals(Op.SEND_MSG_REPLY, push.op());
            assertEquals("{\"hello\":1}", push.bodyText());
        }
        Await.until("router forgets user 42", Duration.ofSeconds(10),
                () -> cluster.router.sessions().userCount(42) == 0);
        assertEquals(0, cluster.router.sessions().count());
    }

    @Test
    void pushToAUserWithNoConnectionIsAcceptedAndDeliversNothing() throws Exception {
        HttpResponse<String> res = cluster.post("/1/push?uid=777", "x");
        assertEquals(200, res.statusCode());
        assertEquals("{\"ret\":1}", res.body());
    }

    @Test
    void twoConnectionsOfOneUserBothReceiveAPush() throws Exception {
        try (TcpTestClient a = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                TcpTestClient b = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            a.send(Op.AUTH, 1, "1001");
            assertEquals(Op.AUTH_REPLY, a.receive().op());
            b.send(Op.AUTH, 1, "1001");
            assertEquals(Op.AUTH_REPLY, b.receive().op());
            assertEquals(2, cluster.router.sessions().userCount(1001));

            assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=1001", "both").body());
            assertEquals("both", a.receive().bodyText());
            assertEquals("both", b.receive().bodyText());
        }
    }

    @Test
    void aPacketOtherThanAuthFirstClosesTheConnection() throws Exception {
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            client.setReadTimeout(2_000); // well below the 5 s handshake timeout
            client.send(Op.HEARTBEAT, 1, "");
            assertTrue(client.closedByServer(), "a packet other than auth first closes the connection");
        }
        assertTrue(Counts.of(cluster.comet.registry(), "goim_comet_protocol_errors", "kind", "not_authenticated") >= 1);
    }
}
