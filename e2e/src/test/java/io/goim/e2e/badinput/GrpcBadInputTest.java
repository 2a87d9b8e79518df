package io.goim.e2e.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.client.GoimClient;
import io.goim.comet.CometServer;
import io.goim.e2e.ClientRecorder;
import io.goim.e2e.ClusterTest;
import io.goim.e2e.LocalCluster;
import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.grpc.PeerAuth;
import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import io.goim.proto.BroadcastReq;
import io.goim.proto.CometGrpc;
import io.goim.proto.ConnectReq;
import io.goim.proto.DelServerReq;
import io.goim.proto.Empty;
import io.goim.proto.LogicGrpc;
import io.goim.proto.Proto;
import io.goim.proto.RouterGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Internal gRPC over real sockets, with a shared secret configured on every service: each
 * internal port (comet's push service, logic's, router's) refuses a caller without the
 * secret or with another one, UNAUTHENTICATED and counted, before the call does anything;
 * a comet configured with another secret cannot log anyone in. After each case a good
 * client still logs in and receives a push, through services that all carry the secret.
 */
@ClusterTest
class GrpcBadInputTest {
    private static final String SECRET = "e2e-peer-secret-0123456789abcdef";
    private static final PeerAuth WRONG = new PeerAuth("not-the-cluster-secret-0123456789", null);
    private static LocalCluster cluster;
    private static int uids = 7000;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    static void start(LocalCluster.Builder newCluster) throws Exception {
        cluster = newCluster.peerSecret(SECRET).start();
    }

    @AfterEach
    void closeChannels() throws InterruptedException {
        for (ManagedChannel c : channels) {
            GrpcChannels.close(c, Duration.ofSeconds(1));
        }
    }

    @Test
    void cometPushServiceRefusesAForgedPushWithoutTheSecret() throws Exception {
        ClientRecorder rec = new ClientRecorder();
        long uid = ++uids;
        try (GoimClient client = GoimClient.tcp("127.0.0.1", cluster.comet.tcpPort()).token(Long.toString(uid))
                .listener(rec).build()) {
            client.start().get(10, TimeUnit.SECONDS);
            BroadcastReq forged = BroadcastReq.newBuilder().setProto(Proto.newBuilder().setOp(Op.SEND_MSG_REPLY)
                    .setBody(ByteString.copyFromUtf8("{\"forged\":1}"))).build();
            double before = unauthenticated(cluster.comet.adminPort(), "comet");
            refused(cluster.comet.grpcPort(), ch -> () -> CometGrpc.newBlockingStub(ch).broadcast(forged));
            assertEquals(before + 2, unauthenticated(cluster.comet.adminPort(), "comet"));

            // The forged broadcast never reached anyone: the first push this client sees is the real one.
            push(uid, "{\"real\":1}");
            assertEquals("5:{\"real\":1}", rec.pushes.poll(15, TimeUnit.SECONDS));
        }
        goodClientLogsInAndReceivesAPush();
    }

    @Test
    void routerRefusesListingUsersOrDroppingACometWithoutTheSecret() throws Exception {
        double before = unauthenticated(cluster.router.adminPort(), "router");
        refused(cluster.router.grpcPort(), ch -> () -> RouterGrpc.newBlockingStub(ch).getAll(Empty.getDefaultInstance()));
        refused(cluster.router.grpcPort(), ch -> () -> RouterGrpc.newBlockingStub(ch)
                .delServer(DelServerReq.newBuilder().setServer(1).build()));
        assertEquals(before + 4, unauthenticated(cluster.router.adminPort(), "router"));
        goodClientLogsInAndReceivesAPush();
    }

    @Test
    void logicRefusesAFakeCometWithoutTheSecret() throws Exception {
        double before = unauthenticated(cluster.logic.adminPort(), "logic");
        refused(cluster.logic.grpcPort(), ch -> () -> LogicGrpc.newBlockingStub(ch)
                .connect(ConnectReq.newBuilder().setServer(1).setToken(ByteString.copyFromUtf8("42")).build()));
        assertEquals(before + 2, unauthenticated(cluster.logic.adminPort(), "logic"));
        goodClientLogsInAndReceivesAPush();
    }

    @Test
    void aCometWithAnotherSecretCannotLogClientsIn() throws Exception {
        double before = unauthenticated(cluster.logic.adminPort(), "logic");
        try (CometServer stranger = CometServer.start(cluster.cometConfig(9, Map.of("comet.peer-auth.secret", WRONG.secret())));
                TcpTestClient client = new TcpTestClient("127.0.0.1", stranger.tcpPort())) {
            client.send(Op.AUTH, 1, Long.toString(++uids));
            client.setReadTimeout(15_000);
            assertTrue(client.closedByServer(), "logic refused the stranger's Connect, so the login failed");
            Await.until("logic counted the refusal", Duration.ofSeconds(10),
                    () -> unauthenticatedQuietly(cluster.logic.adminPort(), "logic") > before);
        }
        goodClientLogsInAndReceivesAPush();
    }

    /**
     * grpc.health.v1 is open without the secret (docs/security.md): gRPC's own health checks
     * of several logics or comet addresses cannot carry it, and it tells only SERVING.
     */
    @Test
    void healthAnswersWithoutTheSecret() throws Exception {
        for (int[] port : new int[][] {{cluster.comet.grpcPort()}, {cluster.logic.grpcPort()}}) {
            ManagedChannel ch = channel(port[0], PeerAuth.NONE);
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
        }
        goodClientLogsInAndReceivesAPush();
    }

    /** The call, made without the secret and then with another one, is refused UNAUTHENTICATED both times. */
    private void refused(int port, Function<ManagedChannel, Executable> call) {
        for (PeerAuth auth : new PeerAuth[] {PeerAuth.NONE, WRONG}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call.apply(channel(port, auth)).execute());
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), auth.describe() + ": " + e.getStatus());
        }
    }

    private ManagedChannel channel(int port, PeerAuth auth) {
        ManagedChannel c = GrpcChannels.channel(new HostPort("127.0.0.1", port), auth);
        channels.add(c);
        return c;
    }

    private static double unauthenticated(int adminPort, String service) throws Exception {
        AdminScrape.Metrics m = AdminScrape.metrics(adminPort);
        String name = "goim_" + service + "_grpc_unauthenticated_total";
        return m.value(name, "reason", "missing") + m.value(name, "reason", "wrong");
    }

    private static double unauthenticatedQuietly(int adminPort, String service) {
        try {
            return unauthenticated(adminPort, service);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void push(long uid, String body) throws Exception {
        assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=" + uid, body).body());
    }

    /** A client logs in (comet → logic → router, all with the secret) and gets a push (logic → Kafka → job → comet). */
    static void goodClientLogsInAndReceivesAPush() throws Exception {
        ClientRecorder rec = new ClientRecorder();
        long uid = ++uids;
        try (GoimClient client = GoimClient.tcp("127.0.0.1", cluster.comet.tcpPort()).token(Long.toString(uid))
                .listener(rec).build()) {
            client.start().get(10, TimeUnit.SECONDS);
            push(uid, "{\"good\":" + uid + "}");
            assertEquals("5:{\"good\":" + uid + "}", rec.pushes.poll(15, TimeUnit.SECONDS));
        }
    }
}
