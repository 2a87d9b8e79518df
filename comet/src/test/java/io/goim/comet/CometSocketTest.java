package io.goim.comet;

import io.goim.protocol.RoomKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.protocol.Op;
import io.goim.protocol.ProtocolException;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.libs.testing.TcpTestClient;
import io.goim.libs.testing.WsTestClient;
import io.goim.proto.BroadcastReq;
import io.goim.proto.BroadcastRoomReq;
import io.goim.proto.CometGrpc;
import io.goim.proto.MPushMsgReply;
import io.goim.proto.MPushMsgReq;
import io.goim.proto.Proto;
import io.goim.proto.PushMsgReq;
import io.goim.proto.RoomsReq;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real comet on real sockets: TCP, WebSocket text and binary, TLS TCP and wss clients,
 * pushes through the real gRPC push service, auth against a loopback gRPC logic.
 */
class CometSocketTest {
    @TempDir
    static Path dir;
    private static FakeLogic logic;
    private static SelfSignedCert cert;
    private static CometServer comet;
    private static ManagedChannel grpc;
    private static CometGrpc.CometBlockingStub push;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        logic = new FakeLogic();
        cert = new SelfSignedCert(dir);
        Map<String, Object> c = new HashMap<>();
        c.put("comet.logic", "127.0.0.1:" + logic.port());
        for (String port : List.of("tcp", "websocket", "grpc", "tls.tcp", "tls.websocket")) {
            c.put("comet." + port + ".host", "127.0.0.1");
            c.put("comet." + port + ".port", 0);
        }
        c.put("comet.tls.cert-file", cert.certFile.getPath());
        c.put("comet.tls.key-file", cert.keyFile.getPath());
        c.put("comet.event-loop-threads", 2);
        c.put("comet.buckets", 4);
        c.put("comet.disconnect-backoff", "20ms");
        c.put("comet.logic-timeout", "30s"); // a loaded test machine can be slow to open the first gRPC connection
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

    private static Proto proto(String body) {
        return Proto.newBuilder().setVer(1).setOp(Op.SEND_MSG_REPLY).setBody(ByteString.copyFromUtf8(body)).build();
    }

    private static String ws(String scheme, int port) {
        return scheme + "://127.0.0.1:" + port + "/sub";
    }

    private static int opOf(JsonNode proto) {
        return proto.get("op").asInt();
    }

    @Test
    void tcpClientAuthenticatesGetsPushesAndIsReportedGoneOnClose() throws Exception {
        String key;
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
            client.send(Op.AUTH, 11, "1001");
            TcpTestClient.Received auth = client.receive();
            assertEquals(Op.AUTH_REPLY, auth.op());
            assertEquals(11, auth.seq());
            key = logic.nextKey(1001);
            assertTrue(push.pushMsg(PushMsgReq.newBuilder().setKey(key).setProto(proto("{\"to\":\"tcp\"}")).build())
                    .getDelivered());
            TcpTestClient.Received p = client.receive();
            assertEquals(Op.SEND_MSG_REPLY, p.op());
            assertEquals("{\"to\":\"tcp\"}", p.bodyText());
            client.send(Op.HEARTBEAT, 12, "");
            assertEquals(Op.HEARTBEAT_REPLY, client.receive().op());
            AdminScrape.Metrics m = AdminScrape.metrics(comet.adminPort());
            assertTrue(m.value("goim_comet_ops_received_total", "op", "auth") >= 1);
            assertTrue(m.value("goim_comet_ops_received_total", "op", "heartbeat") >= 1);
            assertTrue(Counts.of(comet.registry(), "goim_comet_packets_written") >= 3);
            assertTrue(Counts.of(comet.registry(), "goim_comet_bytes_written") >= 3 * 16);
        }
        logic.awaitDisconnect(key);
    }

    @Test
    void goimBrowserClientFlowOverWebSocketText() throws Exception {
        try (WsTestClient client = new WsTestClient(ws("ws", comet.websocketPort()), null)) {
            client.sendText("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":{\"data\":{}}}");
            JsonNode auth = JSON.readTree(client.nextText());
            assertTrue(auth.isArray());
            assertEquals(Op.AUTH_REPLY, opOf(auth.get(0)));
            assertEquals(1, auth.get(0).get("seq").asInt());
            assertTrue(auth.get(0).get("body").isObject());
            String key = logic.nextKey(0); // goim's default auth: {"data":{}} is user 0

            client.sendText("{\"ver\":1,\"op\":2,\"seq\":2,\"body\":{}}");
            JsonNode hb = JSON.readTree(client.nextText());
            assertEquals(Op.HEARTBEAT_REPLY, opOf(hb.get(0)));
            assertEquals(2, hb.get(0).get("seq").asInt());

            push.pushMsg(PushMsgReq.newBuilder().setKey(key).setProto(proto("{\"msg\":\"hello\"}")).build());
            JsonNode p = JSON.readTree(client.nextText());
            assertEquals(Op.SEND_MSG_REPLY, opOf(p.get(0)));
            assertEquals("hello", p.get(0).get("body").get("msg").asText());

            push.pushMsg(PushMsgReq.newBuilder().setKey(key).setProto(proto("not json {")).build());
            JsonNode s = JSON.readTree(client.nextText());
            assertEquals("not json {", s.get(0).get("body").asText());
        }
    }

    @Test
    void pushCallsCarryingAControlOperationAreRefusedAndTheClientSeesNoneOfThem() throws Exception {
        int room = 78;
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
            client.send(Op.AUTH, 1, "4001:" + room);
            assertEquals(Op.AUTH_REPLY, client.receive().op());
            String key = logic.nextKey(4001);
            Await.until("in room", Duration.ofSeconds(10), () -> comet.roomOnline(room) == 1);
            double before = refusedControl("disconnect_reply") + refusedControl("auth_reply");

            // op 6 would disconnect the client, op 8 fake a login; both alone and inside an OP_RAW batch.
            StatusRuntimeException kick = assertThrows(StatusRuntimeException.class, () -> push.pushMsg(PushMsgReq
                    .newBuilder().setKey(key).setProto(Proto.newBuilder().setOp(Op.DISCONNECT_REPLY)).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, kick.getStatus().getCode());
            assertTrue(kick.getStatus().getDescription().contains("not a push"), kick.getStatus().getDescription());
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            batch.write(packet(Op.SEND_MSG_REPLY, 0, "{\"hidden\":1}"));
            batch.write(packet(Op.AUTH_REPLY, 0, "{}"));
            assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                    () -> push.broadcastRoom(BroadcastRoomReq.newBuilder().setRoomKey(RoomKeys.ofV1(room)).setProto(Proto.newBuilder()
                            .setOp(Op.RAW).setBody(ByteString.copyFrom(batch.toByteArray()))).build()))
                    .getStatus().getCode());
            assertEquals(before + 2, refusedControl("disconnect_reply") + refusedControl("auth_reply"));

            // Nothing of either call was queued: the next thing the client reads is this push.
            push.pushMsg(PushMsgReq.newBuilder().setKey(key).setProto(proto("{\"after\":1}")).build());
            TcpTestClient.Received next = client.receive();
            assertEquals(Op.SEND_MSG_REPLY, next.op());
            assertEquals("{\"after\":1}", next.bodyText());
        }
    }

    private static double refusedControl(String op) throws Exception {
        try {
            return AdminScrape.metrics(comet.adminPort()).value("goim_comet_push_control_ops_refused_total", "op", op);
        } catch (AssertionError notYet) { // a meter appears with its first count
            return 0;
        }
    }

    @Test
    void roomBatchReachesTcpAsPacketsAndWebSocketAsOneArrayFrame() throws Exception {
        int room = 77;
        try (TcpTestClient tcp = new TcpTestClient("127.0.0.1", comet.tcpPort());
                WsTestClient ws = new WsTestClient(ws("ws", comet.websocketPort()), null)) {
            tcp.send(Op.AUTH, 1, "3001:" + room);
            tcp.receive();
            ws.sendText("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":\"3002:" + room + "\"}");
            ws.nextText();
            Await.until("both in room", Duration.ofSeconds(10), () -> comet.roomOnline(room) == 2);
            assertTrue(push.rooms(RoomsReq.getDefaultInstance()).getRoomKeysList().contains(RoomKeys.ofV1(room)));

            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < 3; i++) {
                batch.write(packet(Op.SEND_MSG_REPLY, 0, "{\"i\":" + i + "}"));
            }
            push.broadcastRoom(BroadcastRoomReq.newBuilder().setRoomKey(RoomKeys.ofV1(room)).setProto(Proto.newBuilder()
                    .setOp(Op.RAW).setBody(ByteString.copyFrom(batch.toByteArray()))).build());
            for (int i = 0; i < 3; i++) {
                TcpTestClient.Received r = tcp.receive();
                assertEquals("{\"i\":" + i + "}", r.bodyText());
            }
            JsonNode frame = JSON.readTree(ws.nextText());
            assertEquals(3, frame.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(i, frame.get(i).get("body").get("i").asInt());
            }
        }
        Await.until("room gone", Duration.ofSeconds(10), () -> comet.roomOnline(room) == 0);
        assertTrue(!push.rooms(RoomsReq.getDefaultInstance()).getRoomKeysList().contains(RoomKeys.ofV1(room)));
    }

    @Test
    void binaryWebSocketClientIsAnsweredInBinary() throws Exception {
        try (WsTestClient client = new WsTestClient(ws("ws", comet.websocketPort()), null)) {
            client.sendBinary(packet(Op.AUTH, 5, "4001"));
            ByteBuffer auth = client.nextBinary();
            assertEquals(Op.AUTH_REPLY, auth.getInt(8));
            assertEquals(5, auth.getInt(12));
            String key = logic.nextKey(4001);
            push.pushMsg(PushMsgReq.newBuilder().setKey(key).setProto(proto("{\"b\":1}")).build());
            ByteBuffer p = client.nextBinary();
            assertEquals(Op.SEND_MSG_REPLY, p.getInt(8));
            byte[] body = new byte[p.getInt(0) - 16];
            p.position(16);
            p.get(body);
            assertEquals("{\"b\":1}", new String(body, StandardCharsets.UTF_8));
        }
    }

    /** One goim TCP packet as bytes. */
    private static byte[] packet(int op, int seq, String body) {
        io.netty.buffer.ByteBuf b = TestComets.packet(op, seq, body);
        try {
            return io.netty.buffer.ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Test
    void junkJsonOverWebSocketClosesTheConnectionAndIsCounted() throws Exception {
        long before = CometCounts.protocolErrors(comet.registry(), ProtocolException.Kind.BAD_FRAME);
        try (WsTestClient client = new WsTestClient(ws("ws", comet.websocketPort()), null)) {
            client.sendText("{this is not json");
            client.closed.get(10, TimeUnit.SECONDS);
        }
        assertEquals(before + 1, CometCounts.protocolErrors(comet.registry(), ProtocolException.Kind.BAD_FRAME));
    }

    @Test
    void queryStringOnTheWebSocketPathIsAccepted() throws Exception {
        try (WsTestClient client = new WsTestClient(ws("ws", comet.websocketPort()) + "?room_id=1&token=abc", null)) {
            client.sendText("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":{\"data\":{}}}");
            assertEquals(Op.AUTH_REPLY, opOf(JSON.readTree(client.nextText()).get(0)));
        }
    }

    @Test
    void otherHttpPathsGet404() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + comet.websocketPort() + "/subscribe")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
    }

    @Test
    void tcpOverTlsAuthenticatesAndGetsPushes() throws Exception {
        try (SSLSocket socket = (SSLSocket) cert.clientContext().getSocketFactory()
                .createSocket("127.0.0.1", comet.tlsTcpPort())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(packet(Op.AUTH, 3, "5001"));
            out.flush();
            in.readInt();
            in.readShort();
            in.readShort();
            assertEquals(Op.AUTH_REPLY, in.readInt());
            assertEquals(3, in.readInt());
            String key = logic.nextKey(5001);
            push.pushMsg(PushMsgReq.newBuilder().setKey(key).setProto(proto("secret")).build());
            int length = in.readInt();
            in.readShort();
            in.readShort();
            assertEquals(Op.SEND_MSG_REPLY, in.readInt());
            in.readInt();
            byte[] body = new byte[length - 16];
            in.readFully(body);
            assertEquals("secret", new String(body, StandardCharsets.UTF_8));
        }
    }

    @Test
    void wssClientAuthenticates() throws Exception {
        try (WsTestClient client = new WsTestClient(ws("wss", comet.tlsWebsocketPort()), cert.clientContext())) {
            client.sendText("{\"ver\":1,\"op\":7,\"seq\":9,\"body\":6001}");
            JsonNode auth = JSON.readTree(client.nextText());
            assertEquals(Op.AUTH_REPLY, opOf(auth.get(0)));
            logic.nextKey(6001);
        }
    }

    @Test
    void mPushMsgRepliesWithTheIndexOfTheLastKeyDelivered() throws Exception {
        try (TcpTestClient a = new TcpTestClient("127.0.0.1", comet.tcpPort());
                TcpTestClient b = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
            a.send(Op.AUTH, 1, "7001");
            a.receive();
            String ka = logic.nextKey(7001);
            b.send(Op.AUTH, 1, "7002");
            b.receive();
            String kb = logic.nextKey(7002);
            MPushMsgReply r = push.mPushMsg(MPushMsgReq.newBuilder().addKeys(ka).addKeys(kb).addKeys("nobody_1")
                    .setProto(proto("{}")).build());
            assertEquals(1, r.getIndex());
            assertEquals(2, r.getDelivered());
            assertEquals("{}", a.receive().bodyText());
            assertEquals("{}", b.receive().bodyText());
        }
    }

    @Test
    void broadcastReachesEveryConnectionAndCountsThem() throws Exception {
        try (TcpTestClient a = new TcpTestClient("127.0.0.1", comet.tcpPort());
                WsTestClient b = new WsTestClient(ws("ws", comet.websocketPort()), null)) {
            a.send(Op.AUTH, 1, "8001");
            a.receive();
            b.sendText("{\"op\":7,\"seq\":1,\"body\":8002}");
            b.nextText();
            Await.until("both online", Duration.ofSeconds(10), () -> comet.online() >= 2);
            int delivered = push.broadcast(BroadcastReq.newBuilder().setProto(proto("{\"all\":true}")).build())
                    .getDelivered();
            assertEquals(comet.online(), delivered);
            assertEquals("{\"all\":true}", a.receive().bodyText());
            assertTrue(JSON.readTree(b.nextText()).get(0).get("body").get("all").asBoolean());
        }
    }

    @Test
    void malformedRawBatchIsRefusedWithInvalidArgument() {
        io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class, () -> push.broadcastRoom(BroadcastRoomReq.newBuilder()
                        .setRoomKey("1").setProto(Proto.newBuilder().setOp(Op.RAW)
                                .setBody(ByteString.copyFrom(new byte[] {1, 2, 3}))).build()));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void disconnectIsRetriedWhileLogicIsUnavailable() throws Exception {
        long retries = Counts.of(comet.registry(), "goim_comet_disconnect_retries");
        String key;
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
            client.send(Op.AUTH, 1, "9001");
            client.receive();
            key = logic.nextKey(9001);
            logic.failDisconnects.set(2);
        }
        logic.awaitDisconnect(key);
        assertEquals(retries + 2, Counts.of(comet.registry(), "goim_comet_disconnect_retries"));
    }
}
