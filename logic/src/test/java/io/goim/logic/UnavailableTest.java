package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.logic.http.Ret;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When Kafka or a router is down or too slow, logic answers 503 with ret 65530 within
 * its deadlines — never {@code ret: 1} — and comets get UNAVAILABLE.
 */
class UnavailableTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void assertUnavailable(HttpResponse<String> res) throws Exception {
        assertEquals(503, res.statusCode(), res.body());
        JsonNode body = JSON.readTree(res.body());
        assertEquals(Ret.UNAVAILABLE.code(), body.get("ret").asInt());
        assertTrue(body.get("msg").asText().startsWith("push not accepted"), res.body());
    }

    @Test
    void aStoppedBrokerGives503NotRetOne() throws Exception {
        try (LogicHarness h = new LogicHarness(1, Map.of("logic.kafka.send-timeout", "1500ms"))) {
            h.connect("5", 1);
            assertEquals("{\"ret\":1}", h.post("/1/push/all", "while up").body(), "Kafka works before it stops");
            h.stopKafka();
            long start = System.nanoTime();
            assertUnavailable(h.post("/1/push/all", "while down"));
            assertUnavailable(h.post("/1/push/room?rid=1", "while down"));
            assertUnavailable(h.post("/1/push?uid=5", "while down"));
            assertUnavailable(h.post("/1/pushs", "{\"u\":[5],\"m\":1}"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 4 * 2 * 1500 + 2000, "each answer within the send deadline, took " + millis + " ms");
            assertTrue(h.httpRequests(Ret.UNAVAILABLE) >= 4);
        }
    }

    @Test
    void aRouterThatIsDownOrSilentGives503AndUnavailableToComets() throws Exception {
        // Router 2 refuses connections; router 3 accepts them and never answers.
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        List<Socket> silentConns = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        silentConns.add(silent.accept());
                    }
                } catch (Exception closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (LogicHarness h = new LogicHarness(1, false, Map.of(
                    "logic.router-timeout", "500ms",
                    "logic.routers", Map.of("2", "127.0.0.1:" + deadPort, "3", "127.0.0.1:" + silent.getLocalPort())))) {
                // The harness's own router is replaced by the two broken ones: find a user on each.
                StringBuilder users = new StringBuilder();
                for (int uid = 0; uid < 20; uid++) {
                    users.append(uid == 0 ? "" : ",").append(uid);
                }
                assertUnavailable(h.post("/1/pushs", "{\"u\":[" + users + "],\"m\":1}"));
                for (int uid = 0; uid < 4; uid++) {
                    assertUnavailable(h.post("/1/push?uid=" + uid, "x"));
                }
                assertUnavailable(h.post("/1/server/del?server=1", ""));
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> h.connect("7", 1));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
                // The session cap (on by default) asks the router for the user's count first.
                assertTrue(e.getStatus().getDescription().startsWith("router user count failed"), e.getStatus().toString());
                HttpResponse<String> count = h.send("GET", "/1/count?type=room", null);
                assertEquals(200, count.statusCode(), "counts are served from the last snapshot (empty here)");
            }
        } finally {
            for (Socket s : silentConns) {
                s.close();
            }
        }
    }
}
