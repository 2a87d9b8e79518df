package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import io.goim.libs.testing.WsTestClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A goim v1 client and goim v2 clients (TCP, and WebSocket binary frames) on one cluster,
 * pushed to through both HTTP APIs: each gets exactly the pushes meant for it (keys, mids,
 * broadcasts, the operation filter and ops 14/16). Every client's whole stream of pushes is
 * compared with what it should have received, so a push that reached a client it was not
 * meant for fails the test.
 */
@ClusterTest
class GoimV2E2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalCluster cluster;

    @BeforeAll
    static void start(LocalCluster.Builder newCluster) throws Exception {
        cluster = newCluster.start();
    }

    /** One packet as a client sees it. */
    record Got(int op, String body) {
    }

    /** A client's incoming packets, TCP or WebSocket binary (a frame may hold several). */
    interface Inbox {
        Got next() throws Exception;
    }

    static Inbox tcpInbox(TcpTestClient c) {
        return () -> {
            TcpTestClient.Received r = c.receive();
            return new Got(r.op(), r.bodyText());
        };
    }

    static Inbox wsInbox(WsTestClient c) {
        ArrayDeque<Got> pending = new ArrayDeque<>();
        return () -> {
            while (pending.isEmpty()) {
                ByteBuffer b = c.nextBinary();
                while (b.remaining() >= 16) {
                    int len = b.getInt(b.position());
                    byte[] body = new byte[len - 16];
                    b.position(b.position() + 16);
                    b.get(body);
                    pending.add(new Got(b.getInt(b.position() - len + 8), new String(body, StandardCharsets.UTF_8)));
                }
            }
            return pending.poll();
        };
    }

    private static JsonNode v2(String pathAndQuery, String body) throws Exception {
        HttpResponse<String> res = cluster.post(pathAndQuery, body);
        assertEquals(200, res.statusCode(), res.body());
        return JSON.readTree(res.body());
    }

    private static JsonNode v2Get(String pathAndQuery) {
        try {
            return v2GetChecked(pathAndQuery);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode v2GetChecked(String pathAndQuery) throws Exception {
        HttpResponse<String> res = cluster.get(pathAndQuery);
        assertEquals(200, res.statusCode(), res.body());
        return JSON.readTree(res.body());
    }

    private static void ok(String pathAndQuery, String body) throws Exception {
        JsonNode r = v2(pathAndQuery, body);
        assertEquals(0, r.get("code").asInt(), r.toString());
    }

    private static byte[] packet(int op, int seq, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ByteBuffer p = ByteBuffer.allocate(16 + b.length);
        p.putInt(16 + b.length).putShort((short) 16).putShort((short) 1).putInt(op).putInt(seq).put(b);
        return p.array();
    }

    private static List<Got> take(Inbox in, int n) throws Exception {
        List<Got> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(in.next());
        }
        return out;
    }

    @Test
    void v1AndV2ClientsEachGetExactlyTheirPushes() throws Exception {
        try (TcpTestClient v1 = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                TcpTestClient tcp2 = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                WsTestClient ws2 = new WsTestClient("ws://127.0.0.1:" + cluster.comet.websocketPort() + "/sub", null)) {
            Inbox v1In = tcpInbox(v1);
            Inbox tcpIn = tcpInbox(tcp2);
            Inbox wsIn = wsInbox(ws2);
            v1.send(Op.AUTH, 1, "6001");
            assertEquals(Op.AUTH_REPLY, v1In.next().op());
            tcp2.send(Op.AUTH, 1, "{\"mid\":6002,\"key\":\"tcp-6002\",\"room_id\":\"live://1000\",\"platform\":\"android\","
                    + "\"accepts\":[1000]}");
            assertEquals(Op.AUTH_REPLY, tcpIn.next().op());
            ws2.sendBinary(packet(Op.AUTH, 1, "{\"mid\":6003,\"key\":\"\",\"platform\":\"web\",\"accepts\":[1001]}"));
            assertEquals(Op.AUTH_REPLY, wsIn.next().op());

            // By key: a client-chosen key, found through the routers' index; and a generated key (the subKey).
            ok("/goim/push/keys?operation=1000&keys=tcp-6002", "k1");
            assertEquals(new Got(1000, "k1"), tcpIn.next());
            ok("/goim/push/keys?operation=1001&keys=6003_1", "k2");
            assertEquals(new Got(1001, "k2"), wsIn.next());
            // An operation tcp-6002 does not accept is not written to it; 6003 accepts it.
            ok("/goim/push/keys?operation=1001&keys=tcp-6002,6003_1", "k3");
            assertEquals(new Got(1001, "k3"), wsIn.next());

            // By mids, through v2's API: v1 accepts every operation.
            ok("/goim/push/mids?operation=1000&mids=6001&mids=6002&mids=6003", "m1");
            assertEquals(new Got(1000, "m1"), v1In.next());
            assertEquals(new Got(1000, "m1"), tcpIn.next());
            // v1's API pushes op 5, which the v2 clients do not accept.
            assertEquals("{\"ret\":1}", cluster.post("/1/pushs", "{\"u\":[6001,6002,6003],\"m\":\"u1\"}").body());
            assertEquals(new Got(Op.SEND_MSG_REPLY, "\"u1\""), v1In.next());

            // Subscribe (op 14 → 15, same body) and unsubscribe (op 16 → 17), then a broadcast.
            ws2.sendBinary(packet(Op.SUB, 7, "1000,1002"));
            assertEquals(new Got(Op.SUB_REPLY, "1000,1002"), wsIn.next());
            tcp2.send(Op.UNSUB, 8, "1000");
            assertEquals(new Got(Op.UNSUB_REPLY, "1000"), tcpIn.next());
            ok("/goim/push/all?operation=1000&speed=1000", "a1");
            assertEquals(new Got(1000, "a1"), v1In.next());
            assertEquals(new Got(1000, "a1"), wsIn.next());
            tcp2.send(Op.SUB, 9, "1002");
            assertEquals(new Got(Op.SUB_REPLY, "1002"), tcpIn.next());
            assertEquals("{\"ret\":1}", cluster.post("/1/push/all", "a2").body());
            assertEquals(new Got(Op.SEND_MSG_REPLY, "a2"), v1In.next());

            // The last push reaches all three: had any earlier one reached a client it was not
            // meant for, that client would have read it here instead.
            ok("/goim/push/all?operation=1002", "end");
            assertEquals(new Got(1002, "end"), v1In.next());
            assertEquals(new Got(1002, "end"), tcpIn.next());
            assertEquals(new Got(1002, "end"), wsIn.next());

            // v1 heartbeats keep their empty reply.
            v1.send(Op.HEARTBEAT, 10, "");
            assertEquals(new Got(Op.HEARTBEAT_REPLY, ""), v1In.next());

            Await.until("online total counts the three", Duration.ofSeconds(10),
                    () -> v2Get("/goim/online/total").path("data").path("conn_count").asInt() == 3);
            JsonNode total = v2Get("/goim/online/total");
            assertEquals(0, total.get("code").asInt());
            assertEquals("", total.get("message").asText());
        }
    }

    /**
     * A connection accepts at most 64 operations: a subscription past that changes nothing
     * and is answered op 15 with an empty body (a kept one echoes its body), counted.
     */
    @Test
    void aSubscriptionPastTheAcceptsLimitIsRefusedVisibly() throws Exception {
        try (TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            Inbox in = tcpInbox(c);
            c.send(Op.AUTH, 1, "{\"mid\":6101,\"key\":\"sub-6101\",\"accepts\":[1000]}");
            assertEquals(Op.AUTH_REPLY, in.next().op());
            double before = AdminScrape.metrics(cluster.comet.adminPort()).value("goim_comet_subscriptions_refused_total");
            StringBuilder many = new StringBuilder();
            for (int op = 2000; op < 2064; op++) { // 64 more: 65 with 1000
                many.append(many.length() == 0 ? "" : ",").append(op);
            }
            c.send(Op.SUB, 2, many.toString());
            assertEquals(new Got(Op.SUB_REPLY, ""), in.next());
            assertEquals(before + 1,
                    AdminScrape.metrics(cluster.comet.adminPort()).value("goim_comet_subscriptions_refused_total"));
            // Nothing of it was taken: op 2000 is still not written to the connection.
            ok("/goim/push/keys?operation=2000&keys=sub-6101", "refused-op");
            c.send(Op.SUB, 3, "2001");
            assertEquals(new Got(Op.SUB_REPLY, "2001"), in.next());
            ok("/goim/push/keys?operation=2001&keys=sub-6101", "kept-op");
            assertEquals(new Got(2001, "kept-op"), in.next());
        }
    }

    @Test
    void aDuplicateClientKeyBelongsToTheNewestLogin() throws Exception {
        try (TcpTestClient first = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                TcpTestClient second = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            first.send(Op.AUTH, 1, "{\"mid\":7001,\"key\":\"dup\",\"accepts\":[1000]}");
            assertEquals(Op.AUTH_REPLY, first.receive().op());
            second.send(Op.AUTH, 1, "{\"mid\":7002,\"key\":\"dup\",\"accepts\":[1000]}");
            assertEquals(Op.AUTH_REPLY, second.receive().op());
            // One comet holds one connection per key: the older is closed, as goim v2's bucket does.
            first.setReadTimeout(10_000);
            assertEquals(true, first.closedByServer());
            ok("/goim/push/keys?operation=1000&keys=dup", "d1");
            assertEquals("d1", second.receive().bodyText());
        }
    }

    @Test
    void typedRoomPushesReachTheirRoomAndCountsAnswerByRoomId() throws Exception {
        try (TcpTestClient in1000 = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                TcpTestClient also1000 = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                TcpTestClient in2000 = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                TcpTestClient v1 = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            in1000.send(Op.AUTH, 1, "{\"mid\":8001,\"room_id\":\"show://1000\",\"accepts\":[1000,1001]}");
            assertEquals(Op.AUTH_REPLY, in1000.receive().op());
            also1000.send(Op.AUTH, 1, "{\"mid\":8002,\"room_id\":\"show://1000\",\"accepts\":[1001]}");
            assertEquals(Op.AUTH_REPLY, also1000.receive().op());
            in2000.send(Op.AUTH, 1, "{\"mid\":8003,\"room_id\":\"show://2000\",\"accepts\":[1000,1001]}");
            assertEquals(Op.AUTH_REPLY, in2000.receive().op());
            v1.send(Op.AUTH, 1, "8004"); // v1's room 1: not a show:// room
            assertEquals(Op.AUTH_REPLY, v1.receive().op());

            // The room key is type://room; the operation filters as for every push.
            ok("/goim/push/room?operation=1000&type=show&room=1000", "r1");
            ok("/goim/push/room?operation=1001&type=show&room=2000", "r2");
            ok("/goim/push/room?operation=1001&type=show&room=1000", "r3");
            assertEquals("r1", in1000.receive().bodyText());
            assertEquals("r3", in1000.receive().bodyText());
            assertEquals("r3", also1000.receive().bodyText(), "1000 is not among its accepts: r1 skipped it");
            assertEquals("r2", in2000.receive().bodyText());
            // v1 and the others got nothing else: the next push to all shows what each read first.
            ok("/goim/push/all?operation=1001", "end");
            for (TcpTestClient c : List.of(in1000, also1000, in2000, v1)) {
                assertEquals("end", c.receive().bodyText());
            }

            // Logic answers counts from a snapshot it refreshes: wait until one was taken after
            // every login (one taken between the second and the third shows 1000 but not 2000).
            Await.until("the counts see both show rooms", Duration.ofSeconds(10), () -> {
                JsonNode data = v2Get("/goim/online/room?type=show&rooms=1000,2000").path("data");
                return data.path("1000").asInt() == 2 && data.path("2000").asInt() == 1;
            });
            JsonNode rooms = v2Get("/goim/online/room?type=show&rooms=1000&rooms=2000&rooms=3000");
            assertEquals(0, rooms.get("code").asInt());
            assertEquals(JSON.readTree("{\"1000\":2,\"2000\":1,\"3000\":0}"), rooms.get("data"));
            JsonNode top = v2Get("/goim/online/top?type=show&limit=1");
            assertEquals(JSON.readTree("[{\"room_id\":\"1000\",\"count\":2}]"), top.get("data"));
            assertEquals(2, v2Get("/goim/online/top?type=show&limit=10").get("data").size());
            assertEquals(0, v2Get("/goim/online/top?type=nobody&limit=10").get("data").size());
        }
    }

    @Test
    void refusalsAnswerV2Codes() throws Exception {
        JsonNode control = v2("/goim/push/keys?operation=6&keys=x", "");
        assertEquals(-400, control.get("code").asInt(), "op 6 (disconnect) is the protocol's, not a push");
        assertEquals(-400, v2("/goim/push/mids?mids=abc", "").get("code").asInt());
        assertEquals(-400, v2("/goim/push/all", "").get("code").asInt(), "operation is required for broadcasts");
        assertEquals(-400, v2("/goim/push/room?operation=1000&room=1000", "").get("code").asInt(), "type is required");
        assertEquals(-400, v2Get("/goim/online/top?type=live&limit=0").get("code").asInt());
        assertEquals(-400, v2Get("/goim/online/room?type=live").get("code").asInt(), "rooms is required");
        assertEquals(0, v2("/goim/push/keys?operation=1000&keys=nobody-holds-this", "x").get("code").asInt(),
                "a key nobody holds is skipped, as goim does");
    }
}
