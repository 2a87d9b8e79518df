package io.goim.comet.session;

import io.goim.comet.CometServer;
import io.goim.comet.FakeLogic;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import io.goim.libs.testing.WsTestClient;
import io.goim.proto.BroadcastRoomReq;
import io.goim.proto.CometGrpc;
import io.goim.proto.Proto;
import io.goim.proto.PushMsgReq;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rooms on a real comet over real sockets: goim v2's change room (op 12), joining and
 * leaving further rooms (ops 18, 20), the room limit, and that a room push reaches each
 * member exactly once per room it is in. Room calls are answered only once written
 * ({@code push.room-window = 0}), so a push to a client's key sent after them arrives
 * after them: the client reads up to it and has then seen every room push meant for it.
 */
class RoomOpsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeLogic logic;
    private static CometServer comet;
    private static ManagedChannel grpc;
    private static CometGrpc.CometBlockingStub push;

    @BeforeAll
    static void start() throws Exception {
        logic = new FakeLogic();
        Map<String, Object> c = new HashMap<>();
        c.put("comet.logic", "127.0.0.1:" + logic.port());
        for (String port : List.of("tcp", "websocket", "grpc")) {
            c.put("comet." + port + ".host", "127.0.0.1");
            c.put("comet." + port + ".port", 0);
        }
        c.put("comet.event-loop-threads", 2);
        c.put("comet.buckets", 4);
        c.put("comet.push.room-window", 0);
        c.put("comet.logic-timeout", "30s");
        comet = CometServer.start(ConfigLoader.withDefaults(ConfigFactory.parseMap(c)));
        grpc = ManagedChannelBuilder.forAddress("127.0.0.1", comet.grpcPort()).usePlaintext().build();
        push = CometGrpc.newBlockingStub(grpc);
    }

    @AfterAll
    static void stop() throws Exception {
        grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        comet.close();
        logic.close();
    }

    private static TcpTestClient login(String token) throws Exception {
        TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort());
        client.send(Op.AUTH, 1, token);
        assertEquals(Op.AUTH_REPLY, client.receive().op());
        return client;
    }

    /** Sends room op {@code op} with {@code body}; returns the reply, checking its op and seq. */
    private static TcpTestClient.Received roomOp(TcpTestClient client, int op, int seq, String body) throws Exception {
        client.send(op, seq, body);
        TcpTestClient.Received r = client.receive();
        assertEquals(op + 1, r.op());
        assertEquals(seq, r.seq());
        return r;
    }

    private static JsonNode json(TcpTestClient.Received r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static void toRoom(String room, String body) {
        push.broadcastRoom(BroadcastRoomReq.newBuilder().setRoomKey(room).setProto(Proto.newBuilder().setVer(1)
                .setOp(Op.SEND_MSG_REPLY).setBody(ByteString.copyFromUtf8(body))).build());
    }

    /** The pushes {@code client} receives before the marker pushed to its key now. */
    private static List<String> pushesUntilMarker(TcpTestClient client, String key) throws Exception {
        push.pushMsg(PushMsgReq.newBuilder().setKey(key).setProto(Proto.newBuilder().setVer(1)
                .setOp(Op.SEND_MSG_REPLY).setBody(ByteString.copyFromUtf8("end"))).build());
        List<String> got = new ArrayList<>();
        for (String body; !(body = client.receive().bodyText()).equals("end"); ) {
            got.add(body);
        }
        return got;
    }

    @Test
    void v1ChangedAndMultiRoomClientsGetExactlyTheirRoomPushesAndLogicLearnsTheMoves() throws Exception {
        try (TcpTestClient v1 = login("2001"); TcpTestClient changed = login("2002"); TcpTestClient multi = login("2003")) {
            String v1Key = logic.nextKey(2001);
            String changedKey = logic.nextKey(2002);
            String multiKey = logic.nextKey(2003);

            TcpTestClient.Received r = roomOp(changed, Op.CHANGE_ROOM, 5, "live://1000");
            assertEquals("live://1000", r.bodyText(), "goim v2 echoes the body");
            roomOp(multi, Op.CHANGE_ROOM, 6, "live://1000");
            JsonNode joined = json(roomOp(multi, Op.JOIN_ROOM, 7, "live://2000"));
            assertEquals(1, joined.get("ret").asInt());
            assertEquals(2, joined.get("rooms").asInt());
            assertEquals(2, json(roomOp(multi, Op.JOIN_ROOM, 8, "live://1000")).get("rooms").asInt(),
                    "joining a room it is in already changes nothing");

            assertEquals(1, comet.roomOnline("1"));
            assertEquals(2, comet.roomOnline("live://1000"));
            assertEquals(1, comet.roomOnline("live://2000"));
            Await.until("logic learned every move", Duration.ofSeconds(10),
                    () -> "live://1000".equals(logic.renewedRooms.get(changedKey))
                            && "live://1000\nlive://2000".equals(logic.renewedRooms.get(multiKey)));

            toRoom("1", "r1");
            toRoom("live://1000", "r1000");
            toRoom("live://2000", "r2000");
            toRoom("live://3000", "r3000");
            assertEquals(List.of("r1"), pushesUntilMarker(v1, v1Key));
            assertEquals(List.of("r1000"), pushesUntilMarker(changed, changedKey));
            assertEquals(List.of("r1000", "r2000"), pushesUntilMarker(multi, multiKey), "once per room it is in");

            assertEquals(1, json(roomOp(multi, Op.LEAVE_ROOM, 9, "live://2000")).get("rooms").asInt());
            assertEquals(0, comet.roomOnline("live://2000"));
            Await.until("logic learned the leave", Duration.ofSeconds(10),
                    () -> "live://1000".equals(logic.renewedRooms.get(multiKey)));
            toRoom("live://2000", "gone");
            toRoom("live://1000", "still");
            assertEquals(List.of("still"), pushesUntilMarker(multi, multiKey));
            assertEquals(List.of("still"), pushesUntilMarker(changed, changedKey));
            assertEquals(List.of(), pushesUntilMarker(v1, v1Key));

            roomOp(changed, Op.CHANGE_ROOM, 10, "");
            assertEquals(1, comet.roomOnline("live://1000"), "an empty body leaves the room");
            Await.until("logic learned it", Duration.ofSeconds(10), () -> "".equals(logic.renewedRooms.get(changedKey)));
        }
    }

    @Test
    void theThirtyThirdRoomIsRefusedAndAClosedConnectionLeavesAllItsRooms() throws Exception {
        String key;
        try (TcpTestClient client = login("2101")) { // in room "1" from its login
            key = logic.nextKey(2101);
            for (int i = 2; i <= 32; i++) {
                assertEquals(i, json(roomOp(client, Op.JOIN_ROOM, i, "news://" + i)).get("rooms").asInt());
            }
            JsonNode refused = json(roomOp(client, Op.JOIN_ROOM, 33, "news://33"));
            assertEquals(RoomOps.RET_BAD_REQUEST, refused.get("ret").asInt());
            assertEquals(0, comet.roomOnline("news://33"));
            assertEquals(1.0, AdminScrape.metrics(comet.adminPort()).value("goim_comet_room_ops_refused_total",
                    "op", "join_room", "reason", "too_many_rooms"));
            JsonNode bad = json(roomOp(client, Op.JOIN_ROOM, 34, "bad\tkey"));
            assertEquals(RoomOps.RET_BAD_REQUEST, bad.get("ret").asInt());
            assertEquals(1, comet.roomOnline("news://32"));
            // A room change to one of its further rooms: in it once, as its first room.
            roomOp(client, Op.CHANGE_ROOM, 35, "news://7");
            assertEquals(1, comet.roomOnline("news://7"));
            assertEquals(0, comet.roomOnline("1"));
        }
        logic.awaitDisconnect(key);
        String rooms = logic.disconnectedRooms.get(key);
        assertEquals(31, rooms.split("\n").length, "logic is told every room it was in: " + rooms);
        for (int i = 2; i <= 32; i++) {
            assertEquals(0, comet.roomOnline("news://" + i));
        }
    }

    @Test
    void aWebSocketTextClientChangesRoomWithAJsonStringBody() throws Exception {
        try (WsTestClient client = new WsTestClient("ws://127.0.0.1:" + comet.websocketPort() + "/sub", null)) {
            client.sendText("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":2201}");
            assertEquals(Op.AUTH_REPLY, JSON.readTree(client.nextText()).get(0).get("op").asInt());
            client.sendText("{\"ver\":1,\"op\":12,\"seq\":2,\"body\":\"live://1000\"}");
            JsonNode reply = JSON.readTree(client.nextText()).get(0);
            assertEquals(Op.CHANGE_ROOM_REPLY, reply.get("op").asInt());
            Await.until("in the room", Duration.ofSeconds(10), () -> comet.roomOnline("live://1000") >= 1);
            toRoom("live://1000", "{\"to\":\"ws\"}");
            assertEquals("ws", JSON.readTree(client.nextText()).get(0).get("body").get("to").asText());
        }
    }
}
