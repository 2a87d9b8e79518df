package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import io.goim.libs.testing.WsTestClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WebSocket clients through the whole cluster (comet → logic → router for auth, logic's
 * HTTP API → Kafka → job → comet for pushes), beside a TCP client in the same room.
 */
@ClusterTest
class CometWebSocketE2ETest {
    private static LocalCluster cluster;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The run's shared cluster: the users and the room pushed to are this test's own (its
     * clients change into that room with op 12; tests on the shared cluster never push to
     * v1's room 1), and no other test logs in anonymously as user 0.
     */
    @BeforeAll
    static void on(LocalCluster shared) {
        cluster = shared;
    }

    private static void post(String pathAndQuery, String body) throws Exception {
        assertEquals("{\"ret\":1}", cluster.post(pathAndQuery, body).body());
    }

    private static String wsUri() {
        return "ws://127.0.0.1:" + cluster.comet.websocketPort() + "/sub";
    }

    @Test
    void goimBrowserClientAuthenticatesAsUserZeroAndHeartbeats() throws Exception {
        try (WsTestClient browser = new WsTestClient(wsUri(), null)) {
            browser.sendText("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":{\"data\":{}}}");
            JsonNode auth = JSON.readTree(browser.nextText());
            assertEquals(Op.AUTH_REPLY, auth.get(0).get("op").asInt());
            assertEquals(1, cluster.router.sessions().userCount(0));
            browser.sendText("{\"ver\":1,\"op\":2,\"seq\":2,\"body\":{}}");
            assertEquals(Op.HEARTBEAT_REPLY, JSON.readTree(browser.nextText()).get(0).get("op").asInt());
        }
        Await.until("router forgets user 0", Duration.ofSeconds(10), () -> cluster.router.sessions().userCount(0) == 0);
    }

    @Test
    void roomPushReachesTextBinaryAndTcpClientsInTheirOwnFormat() throws Exception {
        long textUser = cluster.newId();
        long rid = cluster.newId();
        String room = Long.toString(rid); // v1 room rid's key
        try (WsTestClient text = new WsTestClient(wsUri(), null);
                WsTestClient binary = new WsTestClient(wsUri(), null);
                TcpTestClient tcp = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            text.sendText("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":" + textUser + "}");
            text.nextText();
            binary.sendBinary(packet(Op.AUTH, 1, Long.toString(cluster.newId())));
            binary.nextBinary();
            tcp.send(Op.AUTH, 1, Long.toString(cluster.newId()));
            tcp.receive();
            // From the login's room 1 into the test's own room, each in its own format.
            text.sendText("{\"ver\":1,\"op\":12,\"seq\":2,\"body\":\"" + room + "\"}");
            assertEquals(Op.CHANGE_ROOM_REPLY, JSON.readTree(text.nextText()).get(0).get("op").asInt());
            binary.sendBinary(packet(Op.CHANGE_ROOM, 2, room));
            assertEquals(Op.CHANGE_ROOM_REPLY, binary.nextBinary().getInt(8));
            tcp.send(Op.CHANGE_ROOM, 2, room);
            assertEquals(Op.CHANGE_ROOM_REPLY, tcp.receive().op());
            Await.until("three in room " + room, Duration.ofSeconds(10), () -> cluster.comet.roomOnline(room) == 3);

            post("/1/push/room?rid=" + rid, "{\"room\":\"hi\"}");
            JsonNode frame = JSON.readTree(text.nextText());
            assertEquals(Op.SEND_MSG_REPLY, frame.get(0).get("op").asInt());
            assertEquals("hi", frame.get(0).get("body").get("room").asText());
            ByteBuffer b = binary.nextBinary();
            assertEquals(Op.SEND_MSG_REPLY, b.getInt(8));
            assertEquals("{\"room\":\"hi\"}", new String(b.array(), 16, b.getInt(0) - 16, StandardCharsets.UTF_8));
            assertEquals("{\"room\":\"hi\"}", tcp.receive().bodyText());

            post("/1/push?uid=" + textUser, "plain text, not JSON");
            JsonNode s = JSON.readTree(text.nextText());
            assertTrue(s.get(0).get("body").isTextual());
            assertEquals("plain text, not JSON", s.get(0).get("body").asText());
        }
    }

    private static byte[] packet(int op, int seq, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ByteBuffer p = ByteBuffer.allocate(16 + b.length);
        p.putInt(16 + b.length).putShort((short) 16).putShort((short) 1).putInt(op).putInt(seq).put(b);
        return p.array();
    }
}
