package io.goim.libs.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.InvalidConfigException;
import io.goim.libs.config.Settings;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TestCertificates;
import io.goim.proto.Empty;
import io.goim.proto.LogicGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Peer authentication on real loopback gRPC servers and channels: the shared secret and mutual TLS. */
class PeerAuthTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final AtomicInteger pings = new AtomicInteger();

    @TempDir
    static Path dir;
    /** The cluster's CA and certificates it signed, made once: keytool takes seconds. */
    private static TestCertificates ca;
    private static TestCertificates.Leaf routerCert;
    private static TestCertificates.Leaf logicCert;

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCertificates.newCa(dir, "goim-ca");
        routerCert = ca.issue("router");
        logicCert = ca.issue("logic");
    }

    @AfterEach
    void close() throws InterruptedException {
        for (ManagedChannel c : channels) {
            GrpcChannels.close(c, Duration.ofSeconds(1));
        }
        for (Server s : servers) {
            GrpcChannels.close(s, Duration.ofSeconds(1));
        }
    }

    @Test
    void aCallWithoutTheSecretOrWithAnotherIsRefusedBeforeItReachesTheService() throws Exception {
        HostPort server = start(new PeerAuth(SECRET, null), null);

        StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> ping(channel(server, PeerAuth.NONE)));
        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        StatusRuntimeException wrong = assertThrows(StatusRuntimeException.class,
                () -> ping(channel(server, new PeerAuth("another-secret-of-16+", null))));
        assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
        assertEquals(0, pings.get(), "refused calls never reach the service");
        assertEquals(1.0, refused("missing"));
        assertEquals(1.0, refused("wrong"));

        ping(channel(server, new PeerAuth(SECRET, null)));
        assertEquals(1, pings.get());
        assertEquals(2.0, refused("missing") + refused("wrong"), "an accepted call is not counted");
    }

    @Test
    void healthIsOpenWithoutTheSecretSoThatRoundRobinHealthChecksWork() throws Exception {
        ServingHealth healthA = new ServingHealth(LogicGrpc.SERVICE_NAME);
        ServingHealth healthB = new ServingHealth(LogicGrpc.SERVICE_NAME);
        PeerAuth auth = new PeerAuth(SECRET, null);
        HostPort a = start(auth, healthA);
        HostPort b = start(auth, healthB);

        HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel(a, PeerAuth.NONE))
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(LogicGrpc.SERVICE_NAME).build()).getStatus();
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, status);

        // Several addresses: gRPC health-checks each subchannel; with one NOT_SERVING every call goes to the other.
        ManagedChannel several = GrpcChannels.channel(List.of(a, b), LogicGrpc.SERVICE_NAME, false, auth);
        channels.add(several);
        healthA.stopServing();
        LogicGrpc.LogicBlockingStub stub = LogicGrpc.newBlockingStub(several);
        Await.until("a ping through the channel that carries the secret", Duration.ofSeconds(20), () -> {
            try {
                stub.withDeadlineAfter(5, TimeUnit.SECONDS).ping(Empty.getDefaultInstance());
                return true;
            } catch (StatusRuntimeException e) {
                return false;
            }
        });
        for (int i = 0; i < 10; i++) {
            stub.withDeadlineAfter(5, TimeUnit.SECONDS).ping(Empty.getDefaultInstance());
        }
        assertEquals(0.0, refused("missing") + refused("wrong"), "health checks and calls all authenticated");
    }

    @Test
    void mutualTlsAcceptsOnlyPeersWhoseCertificateTheClusterCaSigned() throws Exception {
        TestCertificates.Leaf serverCert = routerCert;
        TestCertificates.Leaf clientCert = logicCert;
        TestCertificates rogueCa = TestCertificates.newCa(dir, "rogue-ca");
        TestCertificates.Leaf rogueCert = rogueCa.issue("intruder");

        HostPort server = start(new PeerAuth(null, tls(serverCert, ca.caFile, "")), null);

        ping(channel(server, new PeerAuth(null, tls(clientCert, ca.caFile, ""))));
        ping(channel(server, new PeerAuth(null, tls(clientCert, ca.caFile, "router")))); // checked against server-name
        assertEquals(2, pings.get());

        // A client whose certificate another CA signed: the server refuses the handshake.
        assertEquals(Status.Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class,
                () -> ping(channel(server, new PeerAuth(null, tls(rogueCert, ca.caFile, ""))))).getStatus().getCode());
        // A plaintext client: no TLS handshake, no call.
        assertEquals(Status.Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class,
                () -> ping(channel(server, PeerAuth.NONE))).getStatus().getCode());
        // The client checks the server too: a server-name its certificate does not carry.
        assertEquals(Status.Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class,
                () -> ping(channel(server, new PeerAuth(null, tls(clientCert, ca.caFile, "elsewhere")))))
                .getStatus().getCode());
        assertEquals(2, pings.get());
    }

    /**
     * A channel over several addresses checks each server against its own address: two
     * servers whose certificates name only their own address (127.0.0.1 / localhost).
     */
    @Test
    void aSeveralAddressChannelChecksEachServerAgainstItsOwnAddress() throws Exception {
        TestCertificates.Leaf byIp = ca.issue("comet-a", "ip:127.0.0.1");
        TestCertificates.Leaf byName = ca.issue("comet-b", "dns:localhost");
        TestCertificates.Leaf client = logicCert;
        AtomicInteger pingsA = new AtomicInteger();
        AtomicInteger pingsB = new AtomicInteger();
        HostPort a = start(new PeerAuth(null, tls(byIp, ca.caFile, "")), null, pingsA);
        HostPort b = start(new PeerAuth(null, tls(byName, ca.caFile, "")), null, pingsB);
        HostPort bByName = new HostPort("localhost", b.port());

        ManagedChannel several = GrpcChannels.channel(List.of(a, bByName), LogicGrpc.SERVICE_NAME, false,
                new PeerAuth(SECRET, tls(client, ca.caFile, "")));
        channels.add(several);
        LogicGrpc.LogicBlockingStub stub = LogicGrpc.newBlockingStub(several);
        // round_robin calls only the servers whose handshake passed: both, once both are connected.
        Await.until("both servers called", Duration.ofSeconds(20), () -> {
            stub.withDeadlineAfter(10, TimeUnit.SECONDS).ping(Empty.getDefaultInstance());
            return pingsA.get() > 0 && pingsB.get() > 0;
        });
    }

    @Test
    void configReadsTheSecretFromAFileAndRefusesWeakOrAmbiguousSettings() throws Exception {
        Path file = dir.resolve("secret");
        Files.writeString(file, SECRET + "\n");
        PeerAuth fromFile = read("secret-file = \"" + file + "\"");
        assertEquals(SECRET, fromFile.secret());
        assertEquals("shared secret", fromFile.describe());
        assertTrue(!fromFile.toString().contains(SECRET), "the secret never appears in logs");
        assertEquals(PeerAuth.NONE, read(""));

        assertEquals("svc.peer-auth.secret: (the configured value) (expected: a secret of at least 16 characters)",
                assertThrows(InvalidConfigException.class, () -> read("secret = short")).getMessage());
        assertThrows(InvalidConfigException.class, () -> read("secret = \"has a space in it, sixteen+\""));
        assertThrows(InvalidConfigException.class,
                () -> read("secret = \"" + SECRET + "\", secret-file = \"" + file + "\""));
        assertThrows(InvalidConfigException.class, () -> read("secret-file = \"" + dir.resolve("missing") + "\""));
        assertThrows(InvalidConfigException.class, () -> read("tls.cert-file = \"" + file + "\""));
    }

    private PeerAuth read(String body) {
        String defaults = "svc.peer-auth { secret = \"\", secret-file = \"\", "
                + "tls { cert-file = \"\", key-file = \"\", ca-file = \"\", server-name = \"\" } }";
        return PeerAuth.read(Settings.of(ConfigFactory.parseString("svc.peer-auth { " + body + " }")
                .withFallback(ConfigFactory.parseString(defaults)), "svc"));
    }

    private static PeerTls tls(TestCertificates.Leaf leaf, Path ca, String serverName) {
        return new PeerTls(leaf.certFile().toString(), leaf.keyFile().toString(), ca.toString(), serverName);
    }

    private double refused(String reason) {
        return registry.get("goim_test_grpc_unauthenticated").tag("reason", reason).counter().count();
    }

    private HostPort start(PeerAuth auth, ServingHealth health) throws Exception {
        return start(auth, health, pings);
    }

    private HostPort start(PeerAuth auth, ServingHealth health, AtomicInteger pings) throws Exception {
        var builder = GrpcChannels.server(new InetSocketAddress("127.0.0.1", 0), auth, registry, "test")
                .addService(new LogicGrpc.LogicImplBase() {
                    @Override
                    public void ping(Empty request, StreamObserver<Empty> out) {
                        pings.incrementAndGet();
                        out.onNext(Empty.getDefaultInstance());
                        out.onCompleted();
                    }
                });
        if (health != null) {
            builder.addService(health.service());
        }
        Server server = builder.build().start();
        servers.add(server);
        return new HostPort("127.0.0.1", server.getPort());
    }

    private ManagedChannel channel(HostPort address, PeerAuth auth) {
        ManagedChannel c = GrpcChannels.channel(address, auth);
        channels.add(c);
        return c;
    }

    private static void ping(ManagedChannel channel) {
        LogicGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).ping(Empty.getDefaultInstance());
    }
}
