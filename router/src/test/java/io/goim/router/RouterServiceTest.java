package io.goim.router;

import io.goim.protocol.RoomKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.InvalidConfigException;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.proto.DelReq;
import io.goim.proto.DelServerReq;
import io.goim.proto.Empty;
import io.goim.proto.GetReq;
import io.goim.proto.MGetReq;
import io.goim.proto.PutReq;
import io.goim.proto.RouterGrpc;
import io.goim.proto.TouchReply;
import io.goim.proto.TouchReq;
import io.goim.proto.UserCountReq;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The router's RPCs over a real loopback gRPC connection to a router started as in production. */
class RouterServiceTest {
    private static RouterServer router;
    private static ManagedChannel channel;
    private static RouterGrpc.RouterBlockingStub stub;

    @BeforeAll
    static void start() throws Exception {
        router = RouterServer.start(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of("router.grpc.port", 0))));
        channel = GrpcChannels.plaintext(new HostPort("127.0.0.1", router.grpcPort()));
        stub = RouterGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() throws Exception {
        GrpcChannels.close(channel, Duration.ofSeconds(2));
        router.close();
    }

    @BeforeEach
    void forgetEveryone() {
        for (int server = 1; server <= 5; server++) {
            stub.delServer(DelServerReq.newBuilder().setServer(server).build());
        }
    }

    private static int put(long user, int server, int room) {
        return put(user, server, RoomKeys.ofV1(room));
    }

    private static int put(long user, int server, String room) {
        return stub.put(PutReq.newBuilder().setUserId(user).setServer(server).setRoomKey(room).build()).getSeq();
    }

    private static void assertInvalid(String expectedInDescription, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(expectedInDescription), e.getStatus().getDescription());
    }

    @Test
    void putGetMGetCountsAndDelRoundTrip() {
        assertEquals(1, put(7, 1, 3));
        assertEquals(2, put(7, 2, 3));
        put(8, 2, -1);
        assertEquals(List.of(1, 2), stub.get(GetReq.newBuilder().setUserId(7).build()).getSeqsList());
        var m = stub.mGet(MGetReq.newBuilder().addUserIds(7).addUserIds(8).addUserIds(9).build());
        assertEquals(List.of(7L, 8L), m.getUserIdsList(), "users with no connection are left out");
        assertEquals(3, stub.count(Empty.getDefaultInstance()).getCount());
        assertEquals(Map.of("3", 2), stub.allRoomCount(Empty.getDefaultInstance()).getRoomsMap());
        assertEquals(Map.of(1, 1, 2, 2), stub.allServerCount(Empty.getDefaultInstance()).getCounterMap());
        assertTrue(stub.del(DelReq.newBuilder().setUserId(7).setSeq(1).build()).getHas());
        assertFalse(stub.del(DelReq.newBuilder().setUserId(7).setSeq(1).build()).getHas(),
                "an unknown but well-formed seq is has=false, not an error");
        assertEquals(1, stub.userCount(UserCountReq.newBuilder().setUserId(7).build()).getCount());
        assertEquals(2, stub.delServer(DelServerReq.newBuilder().setServer(2).build()).getRemoved());
        assertEquals(0, stub.count(Empty.getDefaultInstance()).getCount());
        assertTrue(router.sessions().countersAgreeWithSessions());
    }

    @Test
    void badArgumentsAnswerInvalidArgumentNamingTheValueAndChangeNothing() {
        long before = invalidArguments();
        assertInvalid("user id -1", () -> put(-1, 1, 1));
        assertInvalid("server 0", () -> put(1, 0, 1));
        assertInvalid("control character", () -> put(1, 1, "live://\t1"));
        assertInvalid("empty key", () -> put(1, 1, "a\n\nb"));
        assertInvalid("seq 0", () -> stub.del(DelReq.newBuilder().setUserId(1).setSeq(0).build()));
        assertInvalid("seq -3", () -> stub.del(DelReq.newBuilder().setUserId(1).setSeq(-3).build()));
        assertInvalid("user id -5", () -> stub.del(DelReq.newBuilder().setUserId(-5).setSeq(1).build()));
        assertInvalid("server -1", () -> stub.delServer(DelServerReq.newBuilder().setServer(-1).build()));
        assertInvalid("user id -2", () -> stub.mGet(MGetReq.newBuilder().addUserIds(1).addUserIds(-2).build()));
        assertInvalid("user id -1", () -> stub.get(GetReq.newBuilder().setUserId(-1).build()));
        assertInvalid("user id -1", () -> stub.userCount(UserCountReq.newBuilder().setUserId(-1).build()));
        assertInvalid("the same number", () -> stub.touch(TouchReq.newBuilder().setServer(1)
                .addUserIds(1).addSeqs(1).build()));
        assertInvalid("seq 0", () -> stub.touch(TouchReq.newBuilder().setServer(1)
                .addUserIds(1).addSeqs(1).addRooms("1").addUserIds(2).addSeqs(0).addRooms("1").build()));
        assertEquals(0, stub.count(Empty.getDefaultInstance()).getCount(), "a refused Touch registers nothing");
        assertEquals(before + 13, invalidArguments(), "every refusal is counted");
    }

    @Test
    void touchRefreshesRelearnsAndReportsConflicts() {
        int seq = put(20, 1, 1);
        put(21, 2, 1);
        TouchReply r = stub.touch(TouchReq.newBuilder().setServer(1)
                .addUserIds(20).addSeqs(seq).addRooms("1") // known here: refreshed
                .addUserIds(22).addSeqs(4).addRooms("1") // unknown: relearned
                .addUserIds(21).addSeqs(1).addRooms("1") // held by comet 2: conflict
                .build());
        assertEquals(1, r.getRefreshed());
        assertEquals(1, r.getRelearned());
        assertEquals(List.of(21L), r.getConflictUserIdsList());
        assertEquals(List.of(1), r.getConflictSeqsList());
        assertEquals(List.of(4), stub.get(GetReq.newBuilder().setUserId(22).build()).getSeqsList());
        assertEquals(Map.of(1, 2, 2, 1), stub.allServerCount(Empty.getDefaultInstance()).getCounterMap());
        assertTrue(router.sessions().countersAgreeWithSessions());
    }

    @Test
    void aCleanIntervalLongerThanTheExpiryIsRefusedAtStart() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> RouterServer.start(
                ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of(
                        "router.grpc.port", 0, "router.session-expire", "1m", "router.clean-interval", "2m")))));
        assertTrue(e.getMessage().startsWith("router.clean-interval"), e.getMessage());
    }

    /** goim_router_invalid_arguments_total, as the router's registry holds it. */
    private static long invalidArguments() {
        return (long) router.registry().get("goim_router_invalid_arguments").counter().count();
    }
}
