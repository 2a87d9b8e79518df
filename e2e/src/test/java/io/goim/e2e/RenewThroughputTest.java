package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.proto.LogicGrpc;
import io.goim.proto.RenewReply;
import io.goim.proto.RenewReq;
import io.goim.router.RouterServer;
import io.goim.libs.testing.Await;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The renew round a comet runs when the routers' epoch changes, timed: 19,000 connections
 * sent to logic as a comet's SessionRenewer sends them (Renew calls of renew-batch = 1,000
 * keys, one at a time) and relearned by a router restarted empty. The target for a router
 * restart is 19,000 sessions relearned within 5 s of the router answering again, and the
 * round has to fit in it next to the epoch watch (0.5 s) and poll (1 s).
 */
@ClusterTest
class RenewThroughputTest {
    private static final int SESSIONS = 19_000;
    private static final int BATCH = 1_000;

    @Test
    void aRestartedRouterRelearns19000SessionsFromOneRenewRoundInWellUnderFiveSeconds(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = newCluster.comets(0).jobs(0).start()) {
            int port = cluster.router.grpcPort();
            cluster.router.close();
            try (RouterServer restarted = RouterServer.start(cluster.routerConfig(Map.of("router.grpc.port", port)))) {
                ManagedChannel channel = GrpcChannels.plaintext(HostPort.parse("logic", "127.0.0.1:" + cluster.logic.grpcPort()));
                try {
                    LogicGrpc.LogicBlockingStub logic = LogicGrpc.newBlockingStub(channel);
                    // Warm-up on another comet id, retried like a comet's round: logic's channel
                    // may still hold the old router's connection for a moment.
                    Await.until("logic reaches the restarted router", Duration.ofSeconds(15), () -> {
                        try {
                            round(logic, 1);
                            return true;
                        } catch (StatusRuntimeException e) {
                            return false;
                        }
                    });
                    long start = System.nanoTime();
                    int relearned = round(logic, 2);
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    System.out.printf("renew round: %d sessions relearned in %d ms (%d calls of %d)%n",
                            relearned, took.toMillis(), SESSIONS / BATCH, BATCH);
                    assertEquals(SESSIONS, relearned);
                    assertEquals(2 * SESSIONS, restarted.sessions().count());
                    assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "round took " + took.toMillis() + " ms");
                } finally {
                    GrpcChannels.close(channel, Duration.ofSeconds(2));
                }
            }
        }
    }

    /** One comet's round: every session, in batches; returns how many the router relearned. */
    private static int round(LogicGrpc.LogicBlockingStub logic, int server) {
        int relearned = 0;
        for (int from = 0; from < SESSIONS; from += BATCH) {
            RenewReq.Builder req = RenewReq.newBuilder().setServer(server);
            for (int i = from; i < from + BATCH; i++) {
                // user ids differ per comet so that no seq is held on two comets
                req.addKeys((server * 1_000_000L + i) + "_1").addRooms(Integer.toString(i % 100));
            }
            RenewReply reply = logic.withDeadlineAfter(5, TimeUnit.SECONDS).renew(req.build());
            assertTrue(reply.getConflictsCount() == 0);
            relearned += reply.getRelearned();
        }
        return relearned;
    }
}
