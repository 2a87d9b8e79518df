package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sessions, counts and every push endpoint through the whole cluster: three routers, two
 * comets, a job and a real broker, with TCP clients on real sockets. Assertions are on
 * what clients receive and what logic answers, not on internals, so they hold however
 * job and comet deliver rooms and broadcasts. goim's default authenticator puts every
 * numeric user in room 1, so each test closes its clients before the next one starts.
 */
@ClusterTest
class RouterLogicE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static LocalCluster cluster;
    private final List<TcpTestClient> clients = new ArrayList<>();

    @BeforeAll
    static void start(LocalCluster.Builder newCluster) throws Exception {
        cluster = newCluster.routers(3).comets(2).start();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (TcpTestClient c : clients) {
            c.close();
        }
        Await.until("every connection forgotten", Duration.ofSeconds(10),
                () -> cluster.routers.stream().mapToInt(r -> r.sessions().count()).sum() == 0);
    }

    /** An authenticated TCP client of {@code uid} on comet {@code comet} (1 or 2). */
    private TcpTestClient login(long uid, int comet) throws Exception {
        TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comets.get(comet - 1).tcpPort());
        clients.add(c);
        c.send(Op.AUTH, 1, Long.toString(uid));
        assertEquals(Op.AUTH_REPLY, c.receive().op());
        return c;
    }

    private static HttpResponse<String> send(String method, String pathAndQuery, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.logic.httpPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private static void pushOk(String pathAndQuery, String body) throws Exception {
        HttpResponse<String> res = send("POST", pathAndQuery, body);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("{\"ret\":1}", res.body());
    }

    /** The next op 5 body this client receives. */
    private static String nextPush(TcpTestClient c) throws Exception {
        TcpTestClient.Received r = c.receive();
        assertEquals(Op.SEND_MSG_REPLY, r.op());
        return r.bodyText();
    }

    /** Comet {@code server}'s count in {@code /1/count?type=server}, 0 when absent. */
    private static int serverCount(int server) {
        try {
            HttpResponse<String> res = send("GET", "/1/count?type=server", null);
            assertEquals(200, res.statusCode());
            for (JsonNode e : JSON.readTree(res.body()).get("data")) {
                if (e.get("Server").asInt() == server) {
                    return e.get("Count").asInt();
                }
            }
            return 0;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void oneUserLoggedInOnBothCometsReceivesEachPushOnBothConnections() throws Exception {
        TcpTestClient phone = login(500, 1);
        TcpTestClient laptop = login(500, 2);
        pushOk("/1/push?uid=500", "{\"to\":\"both\"}");
        assertEquals("{\"to\":\"both\"}", nextPush(phone));
        assertEquals("{\"to\":\"both\"}", nextPush(laptop));
    }

    @Test
    void pushsReachesUsersOnEveryRouterAndBothComets() throws Exception {
        List<TcpTestClient> users = new ArrayList<>();
        StringJoiner uids = new StringJoiner(",");
        for (long uid = 600; uid < 624; uid++) {
            users.add(login(uid, (int) (uid % 2) + 1));
            uids.add(Long.toString(uid));
        }
        for (RouterServer r : cluster.routers) {
            assertTrue(r.sessions().count() > 0, "the users spread over all three routers");
        }
        pushOk("/1/pushs", "{\"u\":[" + uids + "],\"m\":{\"n\":7}}");
        for (TcpTestClient u : users) {
            assertEquals("{\"n\":7}", nextPush(u));
        }
    }

    @Test
    void roomPushAndBroadcastReachEveryClientOnBothComets() throws Exception {
        List<TcpTestClient> users = new ArrayList<>();
        for (long uid = 700; uid < 706; uid++) {
            users.add(login(uid, (int) (uid % 2) + 1));
        }
        // No wait for any routing: job sends room messages to every comet (docs/delivery.md).
        pushOk("/1/push/room?rid=1&ensure=true", "room-one");
        for (TcpTestClient u : users) {
            assertEquals("room-one", nextPush(u));
        }
        pushOk("/1/push/room?rid=2", "room-two"); // nobody is in room 2
        pushOk("/1/push/all", "everyone");
        for (TcpTestClient u : users) {
            assertEquals("everyone", nextPush(u), "room 2's push reached nobody; the broadcast reached all");
        }
    }

    @Test
    void countsRiseAndFallWithConnections() throws Exception {
        List<TcpTestClient> onOne = new ArrayList<>();
        for (long uid = 800; uid < 805; uid++) {
            onOne.add(login(uid, 1));
        }
        login(805, 2);
        Await.until("5 on comet 1 and 1 on comet 2", Duration.ofSeconds(10),
                () -> serverCount(1) == 5 && serverCount(2) == 1);
        HttpResponse<String> rooms = send("POST", "/1/count?type=room", "");
        assertTrue(rooms.body().contains("{\"RoomId\":1,\"Count\":6}"), rooms.body());

        for (int i = 0; i < 3; i++) {
            onOne.get(i).close();
        }
        Await.until("2 left on comet 1", Duration.ofSeconds(10), () -> serverCount(1) == 2);
        assertEquals(1, serverCount(2));
    }

    @Test
    void serverDelMakesEveryRouterForgetTheCometAndItsCountsDrop() throws Exception {
        TcpTestClient staying = login(900, 1);
        TcpTestClient forgotten = login(901, 2);
        login(902, 2);
        Await.until("comet 2 counted", Duration.ofSeconds(10), () -> serverCount(2) == 2);

        // Comet 2 is alive (it just logged users in): only force=1 makes the routers forget it.
        pushOk("/1/server/del?server=2&force=1", "");
        for (RouterServer r : cluster.routers) {
            assertFalse(r.sessions().allServerCount().containsKey(2));
        }
        Await.until("comet 2 gone from the counts", Duration.ofSeconds(10), () -> serverCount(2) == 0);
        assertEquals(1, serverCount(1));

        pushOk("/1/pushs", "{\"u\":[900,901],\"m\":\"after del\"}");
        assertEquals("\"after del\"", nextPush(staying));
        forgotten.setReadTimeout(1_000);
        assertThrows(SocketTimeoutException.class, forgotten::receive,
                "no router knows where user 901 is any more, so nothing is pushed to it");
    }
}
