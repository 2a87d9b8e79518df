package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.Op;
import io.goim.libs.testing.Counts;
import io.goim.libs.testing.TcpTestClient;
import io.goim.libs.testing.WsTestClient;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Comet's graceful drain, observed by real clients: closing the comet stops its listeners,
 * sends every client op 6 (a goim packet over TCP, a JSON or binary frame over WebSocket)
 * and closes it, in slices spread over {@code comet.drain.window}; when close returns, the
 * router has forgotten every connection.
 */
@ClusterTest
class CometDrainE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WINDOW_MS = 2_000;
    private static final int TCP_CLIENTS = 20;

    @Test
    void clientsAreToldToGoAndClosedSpreadOverTheWindowAndTheRouterForgetsThem(LocalCluster.Builder newCluster) throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(TCP_CLIENTS);
        List<TcpTestClient> tcp = new ArrayList<>();
        try (LocalCluster cluster = newCluster.comet("comet.drain.window", WINDOW_MS + "ms").start();
                WsTestClient text = new WsTestClient(wsUri(cluster), null);
                WsTestClient binary = new WsTestClient(wsUri(cluster), null)) {
            for (int i = 0; i < TCP_CLIENTS; i++) {
                TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                tcp.add(c);
                c.send(Op.AUTH, 1, Integer.toString(6000 + i));
                assertEquals(Op.AUTH_REPLY, c.receive().op());
            }
            text.sendText("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":6100}");
            text.nextText();
            binary.sendBinary(packet(Op.AUTH, 1, "6101"));
            binary.nextBinary();
            assertEquals(TCP_CLIENTS + 2, cluster.router.sessions().count());
            int tcpPort = cluster.comet.tcpPort();

            // Each TCP client notes when op 6 arrives, then expects the server to close.
            List<Future<Long>> told = new ArrayList<>();
            for (TcpTestClient c : tcp) {
                told.add(readers.submit(() -> {
                    TcpTestClient.Received r = c.receive();
                    long at = System.nanoTime();
                    assertEquals(Op.DISCONNECT_REPLY, r.op());
                    assertTrue(c.closedByServer(), "closed after op 6");
                    return at;
                }));
            }
            long begin = System.nanoTime();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
                try {
                    cluster.comet.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            told.get(0).get(10, TimeUnit.SECONDS);
            assertThrows(IOException.class, () -> new Socket("127.0.0.1", tcpPort).close(),
                    "the listener is closed while the drain runs");

            closing.get(WINDOW_MS + 15_000, TimeUnit.MILLISECONDS);
            long closedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertEquals(0, cluster.router.sessions().count(), "every connection deregistered before close returned");
            assertEquals(TCP_CLIENTS + 2, Counts.of(cluster.comet.registry(), "goim_comet_drained"));
            assertTrue(closedMs >= WINDOW_MS * 9 / 10, "the drain took its window: " + closedMs + " ms");

            List<Long> at = new ArrayList<>();
            for (Future<Long> f : told) {
                at.add(TimeUnit.NANOSECONDS.toMillis(f.get(5, TimeUnit.SECONDS) - begin));
            }
            Collections.sort(at);
            assertTrue(at.get(at.size() - 1) - at.get(0) >= WINDOW_MS / 2,
                    "closes spread over the window, not all at once: " + at);
            // 20 slices of 1: never half of the clients together (loose, so a busy machine does not fail it).
            int half = TCP_CLIENTS / 2;
            for (int i = 0; i + half < at.size(); i++) {
                assertTrue(at.get(i + half) - at.get(i) >= 100, "no herd: at most " + half + " within 100 ms: " + at);
            }

            JsonNode frame = JSON.readTree(text.nextText());
            assertEquals(Op.DISCONNECT_REPLY, frame.get(0).get("op").asInt(), "JSON clients get op 6 as JSON");
            text.closed.get(5, TimeUnit.SECONDS);
            ByteBuffer b = binary.nextBinary();
            assertEquals(Op.DISCONNECT_REPLY, b.getInt(8), "binary WebSocket clients get an op 6 packet");
            binary.closed.get(5, TimeUnit.SECONDS);
        } finally {
            readers.shutdownNow();
            for (TcpTestClient c : tcp) {
                c.close();
            }
        }
    }

    private static String wsUri(LocalCluster cluster) {
        return "ws://127.0.0.1:" + cluster.comet.websocketPort() + "/sub";
    }

    private static byte[] packet(int op, int seq, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ByteBuffer p = ByteBuffer.allocate(16 + b.length);
        p.putInt(16 + b.length).putShort((short) 16).putShort((short) 1).putInt(op).putInt(seq).put(b);
        return p.array();
    }
}
