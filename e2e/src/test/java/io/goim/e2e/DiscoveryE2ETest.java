package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.comet.CometServer;
import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.RedisServer;
import io.goim.libs.testing.TcpTestClient;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Comet discovery on a real cluster, with the router store and with Redis: a comet started
 * after job (and listed in no job.comets) announces itself; job pushes to it, by user and
 * by room, without a restart; logic's nodes API lists it, least loaded first; a comet that
 * stops (withdraws) and one that is halted (its announcement expires) disappear from job
 * and from the nodes API. The times are printed (docs/benchmarks.md, "Comet discovery").
 */
@ClusterTest
class DiscoveryE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** comet.discovery.ttl's default; job drops a comet job.discovery.remove-after (3 s) after it leaves the store. */
    private static final Duration TTL = Duration.ofSeconds(10);

    @Test
    void routerStore(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = newCluster.start()) {
            scenario(cluster, "router");
        }
    }

    @Test
    void redisStore(LocalCluster.Builder newCluster) throws Exception {
        try (RedisServer redis = RedisServer.start();
                LocalCluster cluster = newCluster.redisSessions(redis.uri()).start()) {
            scenario(cluster, "redis");
            assertEquals(":1", redis.command("EXISTS comet_{1}"), "comet 1's announcement lives in Redis");
        }
    }

    private void scenario(LocalCluster cluster, String store) throws Exception {
        Await.until("comet 1 announced", Duration.ofSeconds(10), () -> servers(cluster, "/goim/nodes/instances").contains(1));

        // A comet no job lists: started after job.
        long started = System.nanoTime();
        CometServer added = cluster.addComet(2, Map.of());
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", added.tcpPort())) {
            client.send(Op.AUTH, 1, "2001");
            assertEquals(Op.AUTH_REPLY, client.receive().op());
            client.setReadTimeout(200);
            long delivered = firstUserPush(cluster, client, 2001, Duration.ofSeconds(20));
            double discoveredMs = (delivered - started) / 1e6;
            assertTrue(cluster.job.cometIds().contains(2), "job follows comet 2: " + cluster.job.cometIds());
            // Room pushes reach it too (room 1: the default authenticator's room).
            client.setReadTimeout(10_000);
            assertEquals("{\"ret\":1}", cluster.post("/1/push/room?rid=1", "room-after").body());
            assertEquals("room-after", receiveBody(client));
            System.out.printf("discovery (%s store): comet start -> first user push delivered through job: %.0f ms%n",
                    store, discoveredMs);

            // Weighted by load: comet 1 gets three clients, comet 2 has one; the nodes API lists comet 2 first.
            List<TcpTestClient> onOne = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                    onOne.add(c);
                    c.send(Op.AUTH, 1, Integer.toString(3001 + i));
                    assertEquals(Op.AUTH_REPLY, c.receive().op());
                }
                Await.until("the nodes API sees comet 1's three clients", Duration.ofSeconds(15),
                        () -> connections(cluster, 1) == 3 && connections(cluster, 2) == 1);
                JsonNode weighted = get(cluster, "/goim/nodes/weighted");
                assertEquals(0, weighted.get("code").asInt());
                JsonNode data = weighted.get("data");
                assertEquals(2, data.get("comets").get(0).get("server").asInt(), "least loaded first: " + data);
                assertEquals(added.tcpPort(), data.get("tcp_port").asInt(), data.toString());
                assertEquals(added.websocketPort(), data.get("ws_port").asInt(), data.toString());
                assertEquals("127.0.0.1", data.get("nodes").get(0).asText());
                assertEquals(240, data.get("heartbeat").asInt());
                assertTrue(data.get("backoff").has("max_delay"), data.toString());
            } finally {
                for (TcpTestClient c : onOne) {
                    c.close();
                }
            }
        }

        // An ordered stop withdraws.
        long stopping = System.nanoTime();
        added.close();
        long stopped = System.nanoTime();
        Await.until("comet 2 gone from the nodes API", TTL, () -> !servers(cluster, "/goim/nodes/instances").contains(2));
        long goneFromNodes = System.nanoTime();
        Await.until("comet 2 gone from job", TTL, () -> !cluster.job.cometIds().contains(2));
        long goneFromJob = System.nanoTime();
        System.out.printf("discovery (%s store): ordered stop (close took %.0f ms, drain included) -> gone from the "
                        + "nodes API %.0f ms, from job %.0f ms after close returned%n", store, (stopped - stopping) / 1e6,
                (goneFromNodes - stopped) / 1e6, (goneFromJob - stopped) / 1e6);

        // A comet that dies: its announcement expires.
        CometServer doomed = cluster.addComet(3, Map.of());
        Await.until("job follows comet 3", Duration.ofSeconds(15), () -> cluster.job.cometIds().contains(3));
        doomed.halt();
        long halted = System.nanoTime();
        Await.until("comet 3 gone from the nodes API", TTL.plusSeconds(5),
                () -> !servers(cluster, "/goim/nodes/instances").contains(3));
        long expiredNodes = System.nanoTime();
        Await.until("comet 3 gone from job", TTL.plusSeconds(8), () -> !cluster.job.cometIds().contains(3));
        long expiredJob = System.nanoTime();
        System.out.printf("discovery (%s store): halted comet -> gone from the nodes API %.0f ms, from job %.0f ms%n",
                store, (expiredNodes - halted) / 1e6, (expiredJob - halted) / 1e6);
        assertTrue(cluster.job.cometIds().contains(1), "comet 1 stays");
        assertFalse(servers(cluster, "/goim/nodes/instances").contains(3));
    }

    /** Pushes to {@code uid} every 100 ms until the client receives one; the time it arrived (nanoTime). */
    private static long firstUserPush(LocalCluster cluster, TcpTestClient client, long uid, Duration within)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        int n = 0;
        while (System.nanoTime() < deadline) {
            cluster.post("/1/push?uid=" + uid, "probe-" + n++);
            try {
                TcpTestClient.Received r = client.receive();
                if (r.op() == Op.SEND_MSG_REPLY && r.bodyText().startsWith("probe-")) {
                    long at = System.nanoTime();
                    drain(client);
                    return at;
                }
            } catch (SocketTimeoutException notYet) {
                // job does not know the comet yet: that push was skipped; the next one may not be
            }
        }
        throw new AssertionError("no push reached the added comet within " + within);
    }

    /** Reads away the probes still on their way. */
    private static void drain(TcpTestClient client) throws IOException {
        while (true) {
            try {
                client.receive();
            } catch (SocketTimeoutException e) {
                return;
            }
        }
    }

    private static String receiveBody(TcpTestClient client) throws IOException {
        while (true) {
            TcpTestClient.Received r = client.receive();
            if (r.op() == Op.SEND_MSG_REPLY || r.op() == Op.RAW) {
                String body = r.bodyText();
                if (!body.startsWith("probe-")) {
                    return body;
                }
            }
        }
    }

    private static List<Integer> servers(LocalCluster cluster, String path) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode n : getQuietly(cluster, path).get("data")) {
            out.add(n.get("server").asInt());
        }
        return out;
    }

    private static int connections(LocalCluster cluster, int server) {
        for (JsonNode n : getQuietly(cluster, "/goim/nodes/instances").get("data")) {
            if (n.get("server").asInt() == server) {
                return n.get("connections").asInt();
            }
        }
        return -1;
    }

    private static JsonNode getQuietly(LocalCluster cluster, String path) {
        try {
            return get(cluster, path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode get(LocalCluster cluster, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = cluster.get(path);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }
}
