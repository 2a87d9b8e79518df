package io.goim.e2e.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.e2e.ClusterTest;
import io.goim.e2e.LocalCluster;
import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input on comet's client TCP port, over real sockets against a whole cluster; each case
 * is followed by a good client that logs in and receives a push. The per-address limits are
 * set low here (4 open, bursts of 20 at 1/s) and tried from their own loopback addresses
 * (127.0.0.2, 127.0.0.3); the good clients come from 127.0.0.1.
 */
@ClusterTest
class TcpBadInputTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start(LocalCluster.Builder newCluster) throws Exception {
        cluster = newCluster
                .comet("comet.limits.per-ip-connections", 4)
                .comet("comet.limits.per-ip-login-rate", 1)
                .comet("comet.limits.per-ip-login-burst", 20)
                .start();
    }

    private static byte[] packet(int op, int seq, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Packets.HEADER_LENGTH + b.length).putInt(Packets.HEADER_LENGTH + b.length)
                .putShort((short) Packets.HEADER_LENGTH).putShort((short) 1).putInt(op).putInt(seq).put(b).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    private static double refused(String reason) throws Exception {
        return AdminScrape.metrics(cluster.comet.adminPort()).value("goim_comet_connections_refused_total", "reason", reason);
    }

    @Test
    void loginHeartbeatAndTestOpInOneWriteAreAllAnsweredInOrder() throws Exception {
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            client.sendRaw(concat(packet(Op.AUTH, 1, "7101"), packet(Op.HEARTBEAT, 2, ""), packet(Op.TEST, 3, "")));
            TcpTestClient.Received auth = client.receive();
            TcpTestClient.Received heartbeat = client.receive();
            TcpTestClient.Received test = client.receive();
            assertEquals(List.of(Op.AUTH_REPLY + ":1", Op.HEARTBEAT_REPLY + ":2", Op.TEST_REPLY + ":3"),
                    List.of(auth.op() + ":" + auth.seq(), heartbeat.op() + ":" + heartbeat.seq(), test.op() + ":" + test.seq()));
            assertEquals("{\"test\":\"come on\"}", test.bodyText());
        }
        GoodClient.tcpLogsInAndGetsAPush(cluster, 7001);
    }

    @Test
    void loginFollowedByAnUnknownOpIsAnsweredThenClosedAsGoimDoes() throws Exception {
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            client.sendRaw(concat(packet(Op.AUTH, 1, "7102"), packet(Op.HEARTBEAT, 2, ""), packet(253, 3, "")));
            assertEquals(Op.AUTH_REPLY, client.receive().op());
            assertEquals(Op.HEARTBEAT_REPLY, client.receive().op());
            assertTrue(client.closedByServer());
        }
        GoodClient.tcpLogsInAndGetsAPush(cluster, 7002);
    }

    @Test
    void tooManyPacketsBehindTheLoginCloseTheConnection() throws Exception {
        List<byte[]> parts = new ArrayList<>(List.of(packet(Op.AUTH, 1, "7103")));
        for (int i = 0; i < 20; i++) {
            parts.add(packet(Op.HEARTBEAT, i + 2, ""));
        }
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            client.sendRaw(concat(parts.toArray(byte[][]::new)));
            assertTrue(client.closedByServer());
        }
        GoodClient.tcpLogsInAndGetsAPush(cluster, 7003);
    }

    @Test
    void aConnectionOverThePerAddressCapIsClosedAtOnce() throws Exception {
        double before = refused("per_ip_connections");
        List<TcpTestClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort(), "127.0.0.2");
                held.add(c);
                c.send(Op.AUTH, 1, Integer.toString(7200 + i));
                assertEquals(Op.AUTH_REPLY, c.receive().op());
            }
            try (TcpTestClient fifth = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort(), "127.0.0.2")) {
                assertTrue(fifth.closedByServer(), "the fifth connection from 127.0.0.2 is closed");
            }
            assertEquals(before + 1, refused("per_ip_connections"));
            held.remove(0).close();
            Await.until("a slot is free again", Duration.ofSeconds(10), () -> {
                try (TcpTestClient again = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort(), "127.0.0.2")) {
                    again.send(Op.AUTH, 1, "7210");
                    return again.receive().op() == Op.AUTH_REPLY;
                } catch (IOException e) {
                    return false;
                }
            });
        } finally {
            for (TcpTestClient c : held) {
                c.close();
            }
        }
        GoodClient.tcpLogsInAndGetsAPush(cluster, 7004);
    }

    @Test
    void loginsFasterThanThePerAddressRateAreRefused() throws Exception {
        double before = refused("per_ip_login_rate");
        int attempts = 0;
        for (int i = 0; i < 100 && refused("per_ip_login_rate") == before; i++) {
            attempts++;
            try (TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort(), "127.0.0.3")) {
                c.send(Op.AUTH, 1, Integer.toString(7300 + i));
                c.receive(); // op 8; or EOF when refused, which the counter tells
            } catch (IOException e) {
                // closed before op 8
            }
        }
        assertEquals(before + 1, refused("per_ip_login_rate"), "one of 100 quick logins from 127.0.0.3 was refused");
        assertTrue(attempts > 20, "the burst (20) was let through: refused at attempt " + attempts);
        GoodClient.tcpLogsInAndGetsAPush(cluster, 7005);
    }
}
