package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.comet.CometServer;
import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import io.goim.router.RouterServer;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The router the comets announce themselves through is stopped and started again, empty, on
 * the same port, while a comet that just started is being discovered: the comets'
 * next announcements fill it again, so logic's nodes API and job follow every comet again
 * (job may drop one for a moment, job.discovery.remove-after), and pushes reach the clients
 * of the comet started last. (docs/benchmarks.md, "Comet discovery".)
 */
@ClusterTest
class RouterRestartDiscoveryE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** comet.discovery.ttl's default plus job's poll and remove-after, with room for a loaded machine. */
    private static final Duration RECOVERED_WITHIN = Duration.ofSeconds(30);

    @Test
    void discoveryRecoversFromARouterRestart(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = newCluster.start()) {
            Await.until("comet 1 announced", Duration.ofSeconds(15), () -> servers(cluster).contains(1));
            CometServer added = cluster.addComet(2, Map.of());
            try (TcpTestClient client = new TcpTestClient("127.0.0.1", added.tcpPort())) {
                client.send(Op.AUTH, 1, "7002");
                assertEquals(Op.AUTH_REPLY, client.receive().op());

                // Comet 2 is announced; job may not have polled it yet. The router goes now.
                int port = cluster.router.grpcPort();
                long before = cluster.router.incarnation();
                cluster.router.close(); // gone with everything it held, as a killed one
                long killed = System.nanoTime();
                try (RouterServer restarted = RouterServer.start(cluster.routerConfig(Map.of(
                        "router.grpc.port", port)))) {
                    assertTrue(restarted.incarnation() != before, "a new, empty router");
                    Await.until("the nodes API lists comets 1 and 2 again", RECOVERED_WITHIN,
                            () -> servers(cluster).containsAll(List.of(1, 2)));
                    long listed = System.nanoTime();
                    Await.until("job follows comets 1 and 2", RECOVERED_WITHIN,
                            () -> cluster.job.cometIds().containsAll(List.of(1, 2)));
                    long followed = System.nanoTime();
                    client.setReadTimeout(200);
                    long delivered = firstUserPush(cluster, client, 7002, RECOVERED_WITHIN);
                    System.out.printf("router restart during discovery: killed -> nodes API lists both comets %.0f ms,"
                                    + " job follows both %.0f ms, first push to comet 2's client %.0f ms%n",
                            (listed - killed) / 1e6, (followed - killed) / 1e6, (delivered - killed) / 1e6);
                }
            } finally {
                added.close();
            }
        }
    }

    /** Pushes to {@code uid} every 100 ms or so until the client receives one; the time it arrived (nanoTime). */
    private static long firstUserPush(LocalCluster cluster, TcpTestClient client, long uid, Duration within)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        int n = 0;
        while (System.nanoTime() < deadline) {
            cluster.post("/1/push?uid=" + uid, "probe-" + n++); // 503 while the router relearns: try again
            try {
                TcpTestClient.Received r = client.receive();
                if (r.op() == Op.SEND_MSG_REPLY && r.bodyText().startsWith("probe-")) {
                    return System.nanoTime();
                }
            } catch (SocketTimeoutException notYet) {
                // not delivered yet (the router relearns the session, job follows the comet): the next may be
            }
        }
        throw new AssertionError("no push reached comet 2's client within " + within);
    }

    private static List<Integer> servers(LocalCluster cluster) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + cluster.logic.httpPort() + "/goim/nodes/instances")).GET().build(), HttpResponse.BodyHandlers.ofString());
            List<Integer> out = new ArrayList<>();
            if (r.statusCode() != 200) {
                return out; // the store is away: nothing listed yet
            }
            for (JsonNode n : JSON.readTree(r.body()).get("data")) {
                out.add(n.get("server").asInt());
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
