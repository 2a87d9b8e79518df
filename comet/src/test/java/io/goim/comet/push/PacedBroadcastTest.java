package io.goim.comet.push;

import io.goim.comet.CometServer;
import io.goim.comet.FakeLogic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import io.goim.proto.BroadcastReq;
import io.goim.proto.CometGrpc;
import io.goim.proto.Proto;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A broadcast with a speed, on a real comet: answered at once, written to one connection
 * after another at the speed, to each once; one more while comet.push.max-paced-broadcasts
 * run is refused RESOURCE_EXHAUSTED (job retries it), and an unpaced one is not held back.
 */
class PacedBroadcastTest {
    private static final int CLIENTS = 6;

    @Test
    void pacedAtItsSpeedAnsweredAtOnceAndBounded() throws Exception {
        try (FakeLogic logic = new FakeLogic()) {
            Map<String, Object> c = new HashMap<>();
            c.put("comet.logic", "127.0.0.1:" + logic.port());
            for (String port : List.of("tcp", "websocket", "grpc")) {
                c.put("comet." + port + ".host", "127.0.0.1");
                c.put("comet." + port + ".port", 0);
            }
            c.put("comet.event-loop-threads", 2);
            c.put("comet.push.max-paced-broadcasts", 1);
            CometServer comet = CometServer.start(ConfigLoader.withDefaults(ConfigFactory.parseMap(c)));
            ManagedChannel grpc = ManagedChannelBuilder.forAddress("127.0.0.1", comet.grpcPort()).usePlaintext().build();
            List<TcpTestClient> clients = new ArrayList<>();
            try {
                CometGrpc.CometBlockingStub push = CometGrpc.newBlockingStub(grpc);
                for (int i = 0; i < CLIENTS; i++) {
                    TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort());
                    client.send(Op.AUTH, 1, Integer.toString(100 + i));
                    assertEquals(Op.AUTH_REPLY, client.receive().op());
                    client.setReadTimeout(10_000);
                    clients.add(client);
                }
                long t0 = System.nanoTime();
                // 5 a second: one connection a step, 200 ms apart, so 6 take 1 s.
                assertEquals(CLIENTS, push.broadcast(broadcast("paced", 5)).getDelivered(), "for every connection");
                long answered = System.nanoTime() - t0;
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                        () -> push.broadcast(broadcast("second", 5)));
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
                // An unpaced broadcast meanwhile is not held back behind the paced one.
                push.broadcast(broadcast("unpaced", 0));
                long last = 0;
                int beforeUnpaced = 0;
                for (TcpTestClient client : clients) {
                    List<String> got = List.of(client.receive().bodyText(), client.receive().bodyText());
                    assertTrue(got.contains("paced") && got.contains("unpaced"), got.toString());
                    if (got.get(0).equals("paced")) {
                        beforeUnpaced++;
                    }
                }
                long paced = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                System.out.printf("6 connections at 5/s: answered in %d ms, all written after %d ms; %d got it before"
                        + " the unpaced one%n", TimeUnit.NANOSECONDS.toMillis(answered), paced, beforeUnpaced);
                assertTrue(TimeUnit.NANOSECONDS.toMillis(answered) < 800, "answered before the pacing ends");
                assertTrue(paced >= 800, "5 steps of 200 ms after the first: took " + paced + " ms");
                assertTrue(beforeUnpaced < CLIENTS, "the unpaced broadcast overtook the paced one somewhere");
                // Once the paced broadcast is done, another is taken again (retried as job does).
                Await.until("a paced broadcast taken after the first finished", Duration.ofSeconds(10), () -> {
                    try {
                        return push.broadcast(broadcast("third", 1_000)).getDelivered() == CLIENTS;
                    } catch (StatusRuntimeException busy) {
                        return false;
                    }
                });
                for (TcpTestClient client : clients) {
                    assertEquals("third", client.receive().bodyText(), "and nothing twice before it");
                }
            } finally {
                for (TcpTestClient client : clients) {
                    client.close();
                }
                grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                comet.close();
            }
        }
    }

    private static BroadcastReq broadcast(String body, int speed) {
        return BroadcastReq.newBuilder().setSpeed(speed).setProto(Proto.newBuilder().setVer(1).setOp(Op.SEND_MSG_REPLY)
                .setBody(ByteString.copyFromUtf8(body))).build();
    }
}
