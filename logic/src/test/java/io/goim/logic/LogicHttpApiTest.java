package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.libs.testing.Await;
import io.goim.logic.http.Ret;
import io.goim.proto.ConnectReply;
import io.goim.proto.PushMsg;
import io.goim.router.RouterServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every push endpoint against a real Kafka broker and three real routers: what logic
 * answers, and the records it writes (read back from the topic as job reads them).
 * Each test uses its own user ids, rooms and comet ids so tests do not see each other.
 */
class LogicHttpApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LogicHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new LogicHarness(3, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    private static void assertOk(HttpResponse<String> res) {
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("{\"ret\":1}", res.body());
    }

    @Test
    void usersSpreadOverThreeRoutersAndOnePushsReachesEveryOneOfThemOnTheirComets() throws Exception {
        Map<Integer, Set<String>> keysByServer = new HashMap<>();
        StringJoiner uids = new StringJoiner(",");
        for (long uid = 1000; uid < 1060; uid++) {
            int server = (int) (uid % 2) + 10;
            ConnectReply c = h.connect(Long.toString(uid), server);
            assertEquals(uid + "_1", c.getKey());
            assertEquals("1", c.getRoomKey());
            keysByServer.computeIfAbsent(server, k -> new HashSet<>()).add(c.getKey());
            uids.add(Long.toString(uid));
        }
        for (RouterServer r : h.routers) {
            int mine = 0;
            for (long uid = 1000; uid < 1060; uid++) {
                mine += r.sessions().userCount(uid);
            }
            assertTrue(mine > 5, "each of the three routers holds a share of the 60 users, this one " + mine);
        }

        try (LogicHarness.TopicReader topic = h.reader()) {
            assertOk(h.post("/1/pushs", "{\"u\":[" + uids + ",99999],\"m\":{\"hi\":[1,2]}}"));
            List<LogicHarness.TopicReader.Rec> recs = topic.read(2, r -> r.msg().getServer() >= 10);
            Map<Integer, Set<String>> got = new HashMap<>();
            for (LogicHarness.TopicReader.Rec r : recs) {
                PushMsg m = r.msg();
                assertEquals(PushMsg.Type.MULTIPLE, m.getType());
                assertEquals("{\"hi\":[1,2]}", m.getMsg().toString(StandardCharsets.UTF_8), "m is pushed as its JSON text");
                assertEquals(m.getKeys(0), r.key(), "a user push is keyed by its first subKey");
                assertTrue(got.put(m.getServer(), new HashSet<>(m.getKeysList())) == null, "one record per comet");
            }
            assertEquals(keysByServer, got, "every connection of every user, grouped by its comet");
        }
    }

    @Test
    void pushToOneUserWritesOneRecordPerCometThatHoldsAConnection() throws Exception {
        ConnectReply a = h.connect("2001", 21);
        ConnectReply b = h.connect("2001", 22);
        ConnectReply c = h.connect("2001", 22);
        try (LogicHarness.TopicReader topic = h.reader()) {
            assertOk(h.post("/1/push?uid=2001", "raw bytes, not JSON"));
            List<LogicHarness.TopicReader.Rec> recs = topic.read(2, r -> r.msg().getServer() == 21 || r.msg().getServer() == 22);
            Map<Integer, List<String>> got = new HashMap<>();
            for (LogicHarness.TopicReader.Rec r : recs) {
                got.put(r.msg().getServer(), r.msg().getKeysList());
                assertEquals("raw bytes, not JSON", r.msg().getMsg().toStringUtf8());
                assertEquals(5, r.msg().getOperation());
                assertTrue(r.msg().getAcceptedAtMillis() > 0);
            }
            assertEquals(List.of(a.getKey()), got.get(21));
            assertEquals(Set.of(b.getKey(), c.getKey()), new HashSet<>(got.get(22)));
        }
    }

    @Test
    void roomPushIsOneRecordKeyedByTheRoomWithEnsure() throws Exception {
        try (LogicHarness.TopicReader topic = h.reader()) {
            assertOk(h.post("/1/push/room?rid=777&ensure=true", "to the room"));
            assertOk(h.post("/1/push/room?rid=778", "best effort"));
            List<LogicHarness.TopicReader.Rec> recs = topic.read(2, r -> r.msg().getType() == PushMsg.Type.BROADCAST_ROOM
                    && r.msg().getRoomId() >= 777 && r.msg().getRoomId() <= 778);
            recs.sort((x, y) -> x.msg().getRoomId() - y.msg().getRoomId());
            assertEquals("777", recs.get(0).key());
            assertTrue(recs.get(0).msg().getEnsure());
            assertEquals("to the room", recs.get(0).msg().getMsg().toStringUtf8());
            assertEquals("778", recs.get(1).key());
            assertFalse(recs.get(1).msg().getEnsure());
        }
    }

    @Test
    void broadcastIsOneUnkeyedRecord() throws Exception {
        try (LogicHarness.TopicReader topic = h.reader()) {
            assertOk(h.post("/1/push/all", "everyone-" + 31));
            List<LogicHarness.TopicReader.Rec> recs = topic.read(1, r -> r.msg().getType() == PushMsg.Type.BROADCAST
                    && r.msg().getMsg().toStringUtf8().equals("everyone-31"));
            assertNull(recs.get(0).key());
            assertEquals(0, recs.get(0).msg().getKeysCount());
        }
    }

    @Test
    void countsRiseAndFallWithConnectionsAndServeGetAndPost() throws Exception {
        List<ConnectReply> conns = new ArrayList<>();
        for (long uid = 3000; uid < 3010; uid++) {
            conns.add(h.connect(Long.toString(uid), 31));
        }
        conns.add(h.connect("not a number", 31)); // goim's anonymous user 0, in no room
        Await.until("server 31 counted 11", Duration.ofSeconds(10), () -> count("GET", "server", "Server", 31) == 11);
        assertEquals(11, count("POST", "server", "Server", 31), "POST answers the same snapshot");
        int room1 = count("GET", "room", "RoomId", 1);
        assertTrue(room1 >= 10, "ten users in goim's room 1, got " + room1);

        for (int i = 0; i < 4; i++) {
            assertTrue(h.disconnect(conns.get(i), 31));
        }
        Await.until("server 31 counted 7", Duration.ofSeconds(10), () -> count("GET", "server", "Server", 31) == 7);
        // Comet 31 logged users in moments ago: it looks alive, so a plain del is refused and says why.
        HttpResponse<String> refused = h.post("/1/server/del?server=31", "");
        assertEquals(409, refused.statusCode(), refused.body());
        JsonNode why = JSON.readTree(refused.body());
        assertEquals(Ret.COMET_ALIVE.code(), why.get("ret").asInt());
        assertTrue(why.get("msg").asText().matches("comet 31 renewed or logged a user in \\d+ s ago .*force=1"),
                why.get("msg").asText());
        Await.until("server 31 still counted 7 after the refused del", Duration.ofSeconds(10),
                () -> count("GET", "server", "Server", 31) == 7);
        assertOk(h.post("/1/server/del?server=31&force=1", ""));
        for (RouterServer r : h.routers) {
            assertFalse(r.sessions().allServerCount().containsKey(31), "every router forgot comet 31");
        }
        Await.until("server 31 gone from the counts", Duration.ofSeconds(10),
                () -> count("GET", "server", "Server", 31) == 0);
        assertFalse(h.disconnect(conns.get(5), 31), "a forgotten connection is unknown to its router");
    }

    /** The count of {@code id} in {@code /1/count?type=}, 0 when absent. */
    private static int count(String method, String type, String idField, int id) {
        try {
            HttpResponse<String> res = h.send(method, "/1/count?type=" + type, method.equals("POST") ? "" : null);
            assertEquals(200, res.statusCode());
            JsonNode body = JSON.readTree(res.body());
            assertEquals(1, body.get("ret").asInt());
            for (JsonNode e : body.get("data")) {
                assertEquals(2, e.size(), "goim's shape: {\"" + idField + "\":..,\"Count\":..}");
                if (e.get(idField).asInt() == id) {
                    return e.get("Count").asInt();
                }
            }
            return 0;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
