package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.comet.CometServer;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.libs.testing.TcpTestClient;
import io.goim.logic.LogicServer;
import io.goim.proto.LogicGrpc;
import io.goim.protocol.Op;
import io.goim.router.RouterServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Connect logic answered in time whose answer never reached the comet (lost between
 * them, here by a relay): logic stored the session, and the comet, whose call ends
 * DEADLINE_EXCEEDED, never learned its key. A real router, logic and comet on loopback:
 * the comet undoes the login by the id it drew and the token it sent (Logic.Undo), so the
 * router holds nothing for it afterwards, instead of a session counted online until it
 * expires an hour later.
 */
class UnansweredLoginE2ETest {

    @Test
    void aSessionWhoseLoginAnswerNeverReachedTheCometIsUndone() throws Exception {
        try (RouterServer router = RouterServer.start(LocalCluster.config(Map.of(
                "router.grpc.port", 0, "router.admin.port", 0)));
             LogicServer logic = LogicServer.start(LocalCluster.config(logicConfig(router)));
             AnswerLosingRelay relay = new AnswerLosingRelay(logic.grpcPort(),
                     LogicGrpc.getConnectMethod().getFullMethodName());
             CometServer comet = CometServer.start(LocalCluster.config(cometConfig(relay)))) {
            relay.lose.set(1);
            try (TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
                client.setReadTimeout(30_000);
                client.send(Op.AUTH, 1, "7");
                assertTrue(client.closedByServer(), "no answer within logic-timeout: the login is refused");
            }
            Await.until("logic answered; the answer lost on the way", Duration.ofSeconds(30),
                    () -> relay.lost() == 1);
            // The comet's call ends at logic-timeout + login-timeout, then it sends the undo.
            Await.until("the session the comet never learned is gone", Duration.ofSeconds(30),
                    () -> router.sessions().count() == 0);
            Await.until("the undo acknowledged", Duration.ofSeconds(10),
                    () -> Counts.of(comet.registry(), "goim_comet_login_undos", "outcome", "reported") == 1);

            // The same user logs in again: nothing of the lost login stands in the way.
            try (TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
                client.setReadTimeout(30_000);
                client.send(Op.AUTH, 1, "7");
                assertEquals(Op.AUTH_REPLY, client.receive().op());
                Await.until("one session: the new login's", Duration.ofSeconds(10),
                        () -> router.sessions().count() == 1);
            }
        }
    }

    private static Map<String, Object> logicConfig(RouterServer router) {
        return new HashMap<>(Map.of(
                "logic.grpc.port", 0,
                "logic.http.port", 0,
                "logic.admin.port", 0,
                "logic.http.threads", 1,
                "logic.routers", Map.of("1", "127.0.0.1:" + router.grpcPort()),
                // Logins need no broker; the producer connects lazily and is never used here.
                "logic.kafka.bootstrap-servers", "127.0.0.1:1"));
    }

    private static Map<String, Object> cometConfig(AnswerLosingRelay relay) {
        Map<String, Object> c = new HashMap<>(Map.of(
                "comet.tcp.port", 0,
                "comet.websocket.port", 0,
                "comet.grpc.port", 0,
                "comet.admin.port", 0,
                "comet.event-loop-threads", 2,
                "comet.logic", "127.0.0.1:" + relay.port(),
                // The login is refused after 1 s; its call ends DEADLINE_EXCEEDED 2 s later.
                "comet.logic-timeout", "1s",
                "comet.login-timeout", "2s"));
        c.put("comet.drain.window", "200ms");
        return c;
    }
}
