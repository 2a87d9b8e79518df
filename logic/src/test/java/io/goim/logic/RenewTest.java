package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.goim.libs.testing.Await;
import io.goim.proto.ConnectReply;
import io.goim.proto.RenewReply;
import io.goim.proto.RenewReq;
import io.goim.router.RouterServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Renew: comets vouch for open connections, and a restarted router relearns them. */
class RenewTest {

    private static RenewReply renew(LogicHarness h, int server, List<ConnectReply> conns) {
        RenewReq.Builder b = RenewReq.newBuilder().setServer(server);
        for (ConnectReply c : conns) {
            b.addKeys(c.getKey()).addRooms(c.getRoomKey());
        }
        return h.comet.renew(b.build());
    }

    @Test
    void aRestartedRouterRelearnsLiveConnectionsAndHandsOutNoSeqTwice() throws Exception {
        try (LogicHarness h = new LogicHarness(1, false, Map.of())) {
            ConnectReply a = h.connect("10", 1);
            ConnectReply b = h.connect("10", 1);
            ConnectReply c = h.connect("11", 1);
            assertEquals(3,
                    renew(h, 1, List.of(a, b, c)).getRefreshed());

            RouterServer old = h.routers.get(0);
            int port = old.grpcPort();
            old.close();
            try (RouterServer restarted = RouterServer.start(LogicHarness.config(Map.of("router.grpc.port", port)))) {
                assertEquals(0, restarted.sessions().count(), "a new router process knows nobody");
                Await.until("logic reaches the restarted router", Duration.ofSeconds(10), () -> {
                    try {
                        return renew(h, 1, List.of(a, b, c)).getRelearned() == 3;
                    } catch (StatusRuntimeException e) {
                        return false;
                    }
                });
                assertEquals(2, restarted.sessions().userCount(10));
                assertEquals(Map.of(1, 3), restarted.sessions().allServerCount());
                assertEquals(Map.of("1", 3), restarted.sessions().allRoomCount());
                assertEquals("10_3", h.connect("10", 2).getKey(), "a new connection never reuses a live seq");

                RenewReply again = renew(h, 1, List.of(a, b, c));
                assertEquals(3, again.getRefreshed());
                assertEquals(0, again.getRelearned());

                ConnectReply other = h.connect("12", 2);
                RenewReply conflict = renew(h, 1, List.of(other));
                assertEquals(List.of(other.getKey()), conflict.getConflictsList(),
                        "a seq held on another comet is reported, not stolen");
            }
        }
    }

    @Test
    void malformedRenewsAreInvalidArgument() throws Exception {
        try (LogicHarness h = new LogicHarness(1, false, Map.of())) {
            StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
                    () -> h.comet.renew(RenewReq.newBuilder().setServer(1).addKeys("junk").addRooms("1").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
            assertEquals("subKey junk (expected: <userId>_<seq>)", bad.getStatus().getDescription());
            StatusRuntimeException uneven = assertThrows(StatusRuntimeException.class,
                    () -> h.comet.renew(RenewReq.newBuilder().setServer(1).addKeys("1_1").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, uneven.getStatus().getCode());
            StatusRuntimeException seq = assertThrows(StatusRuntimeException.class,
                    () -> h.comet.renew(RenewReq.newBuilder().setServer(1).addKeys("1_0").addRooms("1").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, seq.getStatus().getCode(), "the router's own check comes back");
            assertEquals("router touch failed: seq 0 (expected: > 0)", seq.getStatus().getDescription());
        }
    }
}
