package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.client.Backoff;
import io.goim.client.GoimClient;
import io.goim.client.RefusedException;
import io.goim.client.V2Login;
import io.goim.comet.CometServer;
import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java client's goim v2 side against a real cluster: a v2 login, rooms (join, leave,
 * change, a refused join), accepts (subscribe, unsubscribe), upstream send matched to its
 * acknowledgement by seq (echo mode, and kafka mode: acknowledged after Kafka, refusals
 * failing the future), the connection put back in its rooms and accepts after the server
 * closed it or the comet restarted, and comets found through logic's nodes API.
 *
 * <p>Every expectation that a push does <em>not</em> arrive is checked by a marker push
 * sent after it on the same path: the marker arriving first proves the other was not delivered.
 */
@ClusterTest
class JavaClientV2E2ETest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalCluster cluster;

    /**
     * The run's shared cluster, for the tests that address only users, keys and rooms of
     * their own; the tests that restart a comet or need two start their own.
     */
    @BeforeAll
    static void on(LocalCluster shared) {
        cluster = shared;
    }

    private static void v2(LocalCluster c, String pathAndQuery, String body) throws Exception {
        String answer = c.post(pathAndQuery, body).body();
        assertEquals(0, JSON.readTree(answer).path("code").asInt(-1), pathAndQuery + ": " + answer);
    }

    /** A v2 room push: room "live://N" is type live, room N. */
    private static void pushRoom(LocalCluster c, String room, int op, String body) throws Exception {
        String[] typeId = room.split("://", 2);
        v2(c, "/goim/push/room?operation=" + op + "&type=" + typeId[0] + "&room="
                + URLEncoder.encode(typeId[1], StandardCharsets.UTF_8), body);
    }

    private static void pushMid(LocalCluster c, long mid, int op, String body) throws Exception {
        v2(c, "/goim/push/mids?operation=" + op + "&mids=" + mid, body);
    }

    private static String next(ClientRecorder rec) throws InterruptedException {
        String got = rec.pushes.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(got != null, "no push within " + WAIT);
        return got;
    }

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        return e.getCause();
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void tcpV2LoginRoomsAcceptsSendAndBackInPlaceAfterTheServerClosedTheConnection() throws Exception {
        ClientRecorder rec = new ClientRecorder();
        long mid = cluster.newId();
        String key = "java-" + mid;
        String r61 = "live://" + cluster.newId();
        String r62 = "live://" + cluster.newId();
        String r63 = "live://" + cluster.newId();
        String r64 = "live://" + cluster.newId();
        try (GoimClient client = GoimClient.tcp("127.0.0.1", cluster.comet.tcpPort())
                .login(V2Login.mid(mid).key(key).room(r61).platform("java").accepts(1000))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)))
                .listener(rec).build()) {
            get(client.start());
            assertTrue(client.isAuthenticated());
            assertEquals(List.of(r61), client.rooms());

            // The login's room and accepts.
            pushRoom(cluster, r61, 1000, "in-61");
            assertEquals("1000:in-61", next(rec));

            // Join, and a join the server refuses with its message.
            assertEquals(2, get(client.joinRoom(r62)));
            pushRoom(cluster, r62, 1000, "in-62");
            assertEquals("1000:in-62", next(rec));
            Throwable refused = failure(client.joinRoom("bad\u0001room"));
            assertInstanceOf(RefusedException.class, refused);
            assertEquals(65534, ((RefusedException) refused).ret());
            assertTrue(refused.getMessage().contains("control"), refused.getMessage());
            assertEquals(List.of(r61, r62), client.rooms());

            // Accepts: 1001 arrives only once subscribed; 1000 no more once unsubscribed.
            pushMid(cluster, mid, 1001, "before-sub");
            pushMid(cluster, mid, 1000, "marker-1");
            assertEquals("1000:marker-1", next(rec), "op 1001 is not accepted yet");
            get(client.subscribe(1001));
            get(client.unsubscribe(1000));
            assertArrayEquals(new int[] {1001}, client.accepts());
            pushMid(cluster, mid, 1000, "after-unsub");
            pushMid(cluster, mid, 1001, "marker-2");
            assertEquals("1001:marker-2", next(rec), "op 1000 is no longer accepted");

            // Change room: out of 61, into 63; then leave 62 and join 64.
            get(client.changeRoom(r63));
            assertEquals(1, get(client.leaveRoom(r62)));
            assertEquals(2, get(client.joinRoom(r64)));
            assertEquals(List.of(r63, r64), client.rooms());
            pushRoom(cluster, r61, 1001, "left-61");
            pushRoom(cluster, r62, 1001, "left-62");
            pushRoom(cluster, r63, 1001, "in-63");
            assertEquals("1001:in-63", next(rec), "rooms 61 and 62 were left");

            // Upstream send (echo mode): each future gets the reply of its own seq.
            List<CompletableFuture<byte[]>> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add(client.send(("m" + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < 20; i++) {
                assertEquals("m" + i, new String(get(sent.get(i)), StandardCharsets.UTF_8));
            }
            assertTrue(rec.pushes.isEmpty(), "acknowledgements are not pushes: " + rec.pushes);

            // The server closes the connection: another login takes its key (goim v2's bucket closes the older one).
            try (TcpTestClient thief = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
                thief.send(Op.AUTH, 1, "{\"mid\":" + mid + ",\"key\":\"" + key + "\",\"room_id\":\"\",\"accepts\":[]}");
                assertEquals(Op.AUTH_REPLY, thief.receive().op());
                Await.until("the client is back, in its rooms", WAIT, () -> rec.auths.get() == 2 && client.isAuthenticated());
            }
            assertTrue(rec.disconnects.get() >= 1);
            assertEquals(List.of(r63, r64), client.rooms());
            assertArrayEquals(new int[] {1001}, client.accepts());
            pushMid(cluster, mid, 1000, "not-accepted-after-reconnect");
            pushRoom(cluster, r61, 1001, "left-61-again");
            pushRoom(cluster, r63, 1001, "first-room-again");
            pushRoom(cluster, r64, 1001, "joined-again");
            assertEquals("1001:first-room-again", next(rec));
            assertEquals("1001:joined-again", next(rec));
            assertEquals(2, cluster.comet.roomOnline(r63) + cluster.comet.roomOnline(r64));
            assertEquals("m", new String(get(client.send("m".getBytes(StandardCharsets.UTF_8))), StandardCharsets.UTF_8));
        }
        Await.until("the client's rooms are empty after close", WAIT, () -> cluster.comet.roomOnline(r64) == 0);
    }

    @Test
    void v1LoginsKeepTheirApiAndGetTheirChangedRoomBackAfterACometRestart(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster own = newCluster.start()) {
            int tcpPort = own.comet.tcpPort();
            int wsPort = own.comet.websocketPort();
            int grpcPort = own.comet.grpcPort();
            ClientRecorder tcpRec = new ClientRecorder();
            ClientRecorder wsRec = new ClientRecorder();
            Backoff fast = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));
            try (GoimClient tcp = GoimClient.tcp("127.0.0.1", tcpPort).token("6101").backoff(fast).listener(tcpRec).build();
                    GoimClient ws = GoimClient.webSocket(URI.create("ws://127.0.0.1:" + wsPort + "/sub"))
                            .login(V2Login.mid(6102).room("live://71").accepts(1000))
                            .backoff(fast).listener(wsRec).build()) {
                get(tcp.start());
                get(ws.start());
                // v1: room 1 by login; moved to room 7, joins live://72, leaves nothing else.
                get(tcp.changeRoom("7"));
                assertEquals(2, get(tcp.joinRoom("live://72")));
                assertInstanceOf(IllegalStateException.class, failure(tcp.subscribe(1000)), "v1 connections have no accepts");
                // v2 over WebSocket text frames: "1000" stays a string room key.
                assertEquals(2, get(ws.joinRoom("1000")));
                get(ws.subscribe(1001));
                assertEquals("{\"a\":1}", new String(get(ws.send("{\"a\":1}".getBytes(StandardCharsets.UTF_8))),
                        StandardCharsets.UTF_8));

                own.comet.close();
                Await.until("both notice the comet is gone", WAIT,
                        () -> tcpRec.disconnects.get() >= 1 && wsRec.disconnects.get() >= 1);
                assertInstanceOf(IllegalStateException.class, failure(tcp.joinRoom("live://73")), "not connected");
                try (CometServer again = CometServer.start(own.cometConfig(1, Map.of(
                        "comet.tcp.port", tcpPort, "comet.websocket.port", wsPort, "comet.grpc.port", grpcPort)))) {
                    Await.until("both log in again", WAIT, () -> tcpRec.auths.get() == 2 && wsRec.auths.get() == 2
                            && tcp.isAuthenticated() && ws.isAuthenticated());
                    assertEquals(1, again.roomOnline("7"));
                    assertEquals(0, again.roomOnline("1"), "the v1 login's room 1 was changed for 7 again");
                    assertEquals(1, again.roomOnline("live://72"));
                    assertEquals(1, again.roomOnline("live://71"));
                    assertEquals(1, again.roomOnline("1000"));
                    assertEquals(List.of("live://71", "1000"), ws.rooms());
                    assertArrayEquals(new int[] {1000, 1001}, ws.accepts());
                    // Pushes reach them once job's channel to the restarted comet is back: retried until then.
                    Await.until("room 7 push reaches the v1 client", WAIT, () -> {
                        pushRoomQuietly(own, "/1/push/room?rid=7", "r7");
                        return pollQuietly(tcpRec).equals("5:r7");
                    });
                    Await.until("v1 room 1000 push reaches the v2 client", WAIT, () -> {
                        pushRoomQuietly(own, "/goim/push/mids?operation=1001&mids=6102", "m1001");
                        return pollQuietly(wsRec).equals("1001:\"m1001\"");
                    });
                }
            }
        }
    }

    private static void pushRoomQuietly(LocalCluster c, String pathAndQuery, String body) {
        try {
            c.post(pathAndQuery, body);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String pollQuietly(ClientRecorder rec) {
        try {
            String s = rec.pushes.poll(300, TimeUnit.MILLISECONDS);
            return s == null ? "" : s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    @Test
    void sendIsAcknowledgedAfterKafkaAndARefusalFailsTheFuture() throws Exception {
        String topic = "JavaClientUpstream";
        cluster.kafka.createTopic(topic, 1);
        Map<String, Object> c = new HashMap<>();
        c.put("comet.upstream.mode", "kafka");
        c.put("comet.upstream.kafka.bootstrap-servers", cluster.kafka.bootstrapServers());
        c.put("comet.upstream.kafka.topic", topic);
        c.put("comet.upstream.rate", 1);
        c.put("comet.upstream.burst", 3);
        try (CometServer comet = CometServer.start(cluster.cometConfig(81, c))) {
            Await.until("comet ready (logic and the upstream topic answer)", WAIT, () -> ready(comet.adminPort()));
            ClientRecorder rec = new ClientRecorder();
            try (GoimClient client = GoimClient.tcp("127.0.0.1", comet.tcpPort())
                    .login(V2Login.mid(cluster.newId()).room("live://" + cluster.newId())).listener(rec).build()) {
                get(client.start());
                List<CompletableFuture<byte[]>> sent = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    sent.add(client.send(("up" + i).getBytes(StandardCharsets.UTF_8)));
                }
                int acked = 0;
                int limited = 0;
                for (CompletableFuture<byte[]> f : sent) {
                    try {
                        assertEquals("{\"ret\":1}", new String(get(f), StandardCharsets.UTF_8));
                        acked++;
                    } catch (ExecutionException e) {
                        RefusedException r = assertInstanceOf(RefusedException.class, e.getCause());
                        assertEquals(65527, r.ret(), r.getMessage());
                        assertTrue(r.getMessage().contains("rate limited"), r.getMessage());
                        limited++;
                    }
                }
                assertEquals(5, acked + limited);
                assertTrue(acked >= 3 && limited >= 1, "burst 3 at 1/s: " + acked + " acked, " + limited + " limited");
                // Acknowledged means in Kafka: the acked bodies are the topic's records, in order.
                List<String> bodies = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : cluster.records(topic, acked, WAIT)) {
                    bodies.add(io.goim.proto.UpstreamMsg.parseFrom(r.value()).getBody().toStringUtf8());
                }
                assertEquals(acked, bodies.size());
                for (int i = 0; i < acked; i++) {
                    assertEquals("up" + i, bodies.get(i));
                }
            }
        }
    }

    private static boolean ready(int adminPort) {
        try {
            return AdminScrape.status(adminPort, "/ready") == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void nodesApiSendsTheClientToTheLeastLoadedCometAndTheConfiguredAddressIsTheFallback(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster own = newCluster.comets(2).start()) {
            CometServer one = own.comets.get(0);
            CometServer two = own.comets.get(1);
            URI logic = URI.create("http://127.0.0.1:" + own.logic.httpPort());
            List<TcpTestClient> load = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    TcpTestClient c = new TcpTestClient("127.0.0.1", one.tcpPort());
                    load.add(c);
                    c.send(Op.AUTH, 1, Integer.toString(6301 + i));
                    assertEquals(Op.AUTH_REPLY, c.receive().op());
                }
                // Read from /instances: each /weighted answer counts as a client sent to the comet it lists first.
                Await.until("logic sees comet 1's three clients", WAIT,
                        () -> connections(logic, 1) == 3 && connections(logic, 2) == 0);

                // Configured: comet 1. The nodes API says comet 2, over TCP and over WebSocket.
                ClientRecorder rec = new ClientRecorder();
                try (GoimClient tcp = GoimClient.tcp("127.0.0.1", one.tcpPort()).nodes(logic).token("6310")
                        .listener(rec).build()) {
                    get(tcp.start());
                    assertEquals(two.tcpPort(), tcp.remoteAddress().getPort());
                }
                try (GoimClient ws = GoimClient.webSocket(URI.create("ws://127.0.0.1:" + one.websocketPort() + "/sub"))
                        .nodes(logic).login(V2Login.mid(6311)).listener(rec).build()) {
                    get(ws.start());
                    assertEquals(two.websocketPort(), ws.remoteAddress().getPort());
                }

                // Logic not there: the configured address.
                int dead;
                try (ServerSocket s = new ServerSocket(0)) {
                    dead = s.getLocalPort();
                }
                try (GoimClient fallback = GoimClient.tcp("127.0.0.1", one.tcpPort())
                        .nodes(URI.create("http://127.0.0.1:" + dead)).token("6312").listener(rec).build()) {
                    get(fallback.start());
                    assertEquals(one.tcpPort(), fallback.remoteAddress().getPort());
                }
            } finally {
                for (TcpTestClient c : load) {
                    c.close();
                }
            }
        }
    }

    /** Comet {@code server}'s connections as logic's nodes API last read them; -1 when not listed. */
    private static int connections(URI logic, int server) {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            String body = http.send(java.net.http.HttpRequest.newBuilder(URI.create(logic + "/goim/nodes/instances")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            for (var c : JSON.readTree(body).path("data")) {
                if (c.path("server").asInt() == server) {
                    return c.path("connections").asInt();
                }
            }
            return -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
