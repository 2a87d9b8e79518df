package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import io.goim.libs.testing.WsTestClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * goim v2 heartbeat replies carry the room's online count across the cluster (4 bytes,
 * big-endian), as goim v2's do: v2 clients in one typed room on two comets each read the
 * total, a client of another room reads that room's, and a v1 client's reply stays empty.
 * Each comet learns the counts from logic on an interval (comet.online-interval), not per
 * heartbeat. And /goim/online/total's ip_count sums the comets' client addresses.
 */
@ClusterTest
class V2HeartbeatOnlineE2ETest {
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @Test
    void aV2HeartbeatReplyCarriesItsRoomsCountAcrossComets(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = newCluster.comets(2)
                .comet("comet.online-interval", "200ms")
                .logic("logic.count-refresh", "200ms")
                .start();
                TcpTestClient a1 = new TcpTestClient("127.0.0.1", cluster.comets.get(0).tcpPort());
                // From another loopback address: comet 1 sees two client addresses.
                TcpTestClient a2 = new TcpTestClient("127.0.0.1", cluster.comets.get(0).tcpPort(), "127.0.0.2");
                TcpTestClient other = new TcpTestClient("127.0.0.1", cluster.comets.get(1).tcpPort());
                TcpTestClient v1 = new TcpTestClient("127.0.0.1", cluster.comets.get(0).tcpPort());
                WsTestClient b1 = new WsTestClient("ws://127.0.0.1:" + cluster.comets.get(1).websocketPort() + "/sub", null)) {
            login(a1, "{\"mid\":9101,\"key\":\"hb-a1\",\"room_id\":\"live://77\",\"accepts\":[1000]}");
            login(a2, "{\"mid\":9102,\"key\":\"\",\"room_id\":\"live://77\",\"accepts\":[1000]}");
            login(other, "{\"mid\":9103,\"key\":\"\",\"room_id\":\"live://78\",\"accepts\":[1000]}");
            v1.send(Op.AUTH, 1, "9104");
            assertEquals(Op.AUTH_REPLY, v1.receive().op());
            b1.sendBinary(packet(Op.AUTH, 1, "{\"mid\":9105,\"key\":\"hb-b1\",\"room_id\":\"live://77\",\"accepts\":[1000]}"));
            assertEquals(Op.AUTH_REPLY, b1.nextBinary().getInt(8));

            // Two on comet 1 and one on comet 2 in live://77: each of them reads 3.
            Await.until("comet 1's v2 client reads live://77's count across both comets", WITHIN,
                    () -> tcpHeartbeat(a1) == 3);
            Await.until("comet 2's v2 WebSocket client reads it too", WITHIN, () -> wsHeartbeat(b1) == 3);
            assertEquals(3, tcpHeartbeat(a2));
            assertEquals(1, tcpHeartbeat(other), "another room: its own count");

            v1.send(Op.HEARTBEAT, 2, "");
            TcpTestClient.Received r = v1.receive();
            assertEquals(Op.HEARTBEAT_REPLY, r.op());
            assertEquals(0, r.body().length, "a v1 heartbeat reply stays empty");

            // goim v2's ip_count: each comet's addresses with a connection open, summed (2 + 1).
            Await.until("ip_count sums the comets' client addresses", WITHIN, () -> onlineTotal(cluster).equals(
                    "{\"code\":0,\"message\":\"\",\"data\":{\"ip_count\":3,\"conn_count\":5}}"));

            // One leaves: the count follows at the next refreshes.
            a2.close();
            Await.until("the count follows a client leaving", WITHIN, () -> wsHeartbeat(b1) == 2);
        }
    }

    private static String onlineTotal(LocalCluster cluster) {
        try {
            return cluster.get("/goim/online/total").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void login(TcpTestClient c, String body) throws Exception {
        c.send(Op.AUTH, 1, body);
        assertEquals(Op.AUTH_REPLY, c.receive().op());
    }

    private static int tcpHeartbeat(TcpTestClient c) {
        try {
            c.send(Op.HEARTBEAT, 2, "");
            TcpTestClient.Received r = c.receive();
            assertEquals(Op.HEARTBEAT_REPLY, r.op());
            assertEquals(4, r.body().length, "a v2 heartbeat reply carries 4 bytes");
            return ByteBuffer.wrap(r.body()).getInt();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int wsHeartbeat(WsTestClient c) {
        try {
            c.sendBinary(packet(Op.HEARTBEAT, 2, ""));
            ByteBuffer b = c.nextBinary();
            assertEquals(Op.HEARTBEAT_REPLY, b.getInt(8));
            assertEquals(20, b.getInt(0), "a v2 heartbeat reply: 16-byte header and a 4-byte body");
            return b.getInt(16);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] packet(int op, int seq, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ByteBuffer p = ByteBuffer.allocate(16 + b.length);
        p.putInt(16 + b.length).putShort((short) 16).putShort((short) 1).putInt(op).putInt(seq).put(b);
        return p.array();
    }
}
