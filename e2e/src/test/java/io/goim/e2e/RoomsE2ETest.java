package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rooms end to end (comet, logic, router, Kafka, job): a v1 client in room 1, a client
 * that changed room to {@code live://1000} (goim v2's op 12) and a client in
 * {@code live://1000} and {@code live://2000} (op 18) get their room pushes, the router's
 * online counts follow every join, leave and close, and v1's count API lists v1 rooms
 * only. Room 1 is pushed through v1's HTTP API; typed rooms through logic's room entry
 * ({@code LogicServer.pushRoom}), which the v2 HTTP API sits on.
 *
 * <p>A room's messages keep their order end to end (one Kafka key, one batcher, one
 * comet queue per room), so a client that has received a room's end marker has received
 * everything pushed to that room before it: a duplicate would have come first.
 */
@ClusterTest
class RoomsE2ETest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalCluster cluster;

    @BeforeAll
    static void start(LocalCluster.Builder newCluster) throws Exception {
        cluster = newCluster.logic("logic.count-refresh", "200ms").start();
    }

    private static TcpTestClient login(String user) throws Exception {
        TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
        c.send(Op.AUTH, 1, user);
        assertEquals(Op.AUTH_REPLY, c.receive().op());
        return c;
    }

    private static void roomOp(TcpTestClient c, int op, String room) throws Exception {
        c.send(op, 2, room);
        assertEquals(op + 1, c.receive().op());
    }

    private static void push(String room, String body) throws Exception {
        cluster.logic.pushRoom(room, body.getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
    }

    /** Reads pushes until one end marker of each of {@code rooms} arrived; returns the others. */
    private static List<String> until(TcpTestClient c, Set<String> rooms) throws Exception {
        List<String> got = new ArrayList<>();
        int ends = 0;
        while (ends < rooms.size()) {
            String body = c.receive().bodyText();
            if (body.startsWith("end ")) {
                ends++;
            } else {
                got.add(body);
            }
        }
        return got;
    }

    private static String roomCounts() {
        try {
            return cluster.post("/1/count?type=room", "").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int routerCount(String room) {
        return cluster.router.sessions().roomCount(room);
    }

    /** goim v2's push API: {@code POST /goim/push/room?operation=&type=&room=}, answered {"code":0,...}. */
    private static void pushV2(String type, String room, int operation, String body) throws Exception {
        String answer = cluster.post("/goim/push/room?operation=" + operation + "&type=" + type + "&room=" + room, body)
                .body();
        assertEquals(0, JSON.readTree(answer).get("code").asInt(), answer);
    }

    /**
     * A v1 client, a v1 client that changed room, a client in two rooms and a goim v2 client
     * on one cluster, with room pushes through both HTTP APIs and a user push to each
     * through both: each gets exactly its pushes, a room's push once.
     */
    @Test
    void v1ChangedAndMultiRoomClientsOnOneCluster() throws Exception {
        try (TcpTestClient v1 = login("3001"); TcpTestClient changed = login("3002"); TcpTestClient multi = login("3003");
                TcpTestClient v2 = login("{\"mid\":3004,\"key\":\"rooms-3004\",\"room_id\":\"live://2000\","
                        + "\"accepts\":[1000]}")) {
            roomOp(changed, Op.CHANGE_ROOM, "live://1000");
            roomOp(multi, Op.CHANGE_ROOM, "live://1000");
            roomOp(multi, Op.JOIN_ROOM, "live://2000");
            Await.until("the router counts every move", WAIT, () -> routerCount("1") == 1
                    && routerCount("live://1000") == 2 && routerCount("live://2000") == 2);

            // A user push to each through both APIs first, alone in flight: the next packet each reads.
            assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=3001", "u3001").body());
            assertEquals("u3001", v1.receive().bodyText());
            assertEquals(0, JSON.readTree(cluster.post("/goim/push/mids?operation=1000&mids=3003&mids=3004", "m")
                    .body()).get("code").asInt());
            assertEquals("m", multi.receive().bodyText());
            assertEquals("m", v2.receive().bodyText());

            assertEquals(200, cluster.post("/1/push/room?rid=1", "r1").statusCode());
            pushV2("live", "1000", 1000, "r1000");
            pushV2("live", "2000", 1000, "r2000");
            pushV2("live", "2000", 1001, "r2000-op1001"); // the v2 client does not accept 1001
            assertEquals(200, cluster.post("/1/push/room?rid=1", "end 1").statusCode());
            pushV2("live", "1000", 1000, "end 1000");
            pushV2("live", "2000", 1000, "end 2000");
            assertEquals(List.of("r1"), until(v1, Set.of("1")), "v1 got nothing of the typed rooms or of the mids push");
            assertEquals(List.of("r1000"), until(changed, Set.of("live://1000")));
            List<String> both = until(multi, Set.of("live://1000", "live://2000"));
            both.sort(null);
            assertEquals(List.of("r1000", "r2000", "r2000-op1001"), both, "each room's push once, every operation");
            assertEquals(List.of("r2000"), until(v2, Set.of("live://2000")), "its room's push of the operation it accepts");

            Await.until("v1's count lists room 1 only", WAIT, () -> roomCounts().contains("{\"RoomId\":1,\"Count\":1}"));
            assertEquals(-1, roomCounts().indexOf("live"), "typed rooms are left out of v1's answer: " + roomCounts());

            roomOp(multi, Op.LEAVE_ROOM, "live://2000");
            Await.until("the router counts the leave", WAIT, () -> routerCount("live://2000") == 1
                    && routerCount("live://1000") == 2);
        }
        Await.until("closed connections leave every room", WAIT, () -> routerCount("1") == 0
                && routerCount("live://1000") == 0 && routerCount("live://2000") == 0
                && cluster.router.sessions().count() == 0);
    }
}
