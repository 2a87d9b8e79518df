package io.goim.libs.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.config.HostPort;
import io.goim.libs.testing.Await;
import io.goim.proto.Empty;
import io.goim.proto.LogicGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One channel over two real gRPC servers on loopback: round_robin, a stopped peer skipped, UNAVAILABLE retried. */
class SeveralAddressesChannelTest {
    private Peer a;
    private Peer b;
    private ManagedChannel channel;

    @AfterEach
    void close() throws InterruptedException {
        if (channel != null) {
            GrpcChannels.close(channel, Duration.ofSeconds(1));
        }
        for (Peer p : new Peer[] {a, b}) {
            if (p != null) {
                GrpcChannels.close(p.server, Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void callsSpreadOverBothPeersAndAStoppedOneIsSkipped() throws Exception {
        a = Peer.start(false);
        b = Peer.start(false);
        channel = GrpcChannels.plaintext(List.of(a.address(), b.address()), LogicGrpc.SERVICE_NAME, false);
        LogicGrpc.LogicBlockingStub stub = LogicGrpc.newBlockingStub(channel);
        Await.until("both peers connected and called", Duration.ofSeconds(20), () -> {
            ping(stub);
            return a.pings.get() > 0 && b.pings.get() > 0;
        });
        int a0 = a.pings.get();
        int b0 = b.pings.get();
        for (int i = 0; i < 20; i++) {
            ping(stub);
        }
        // round_robin alternates over READY subchannels: 10 each; allow for a reconnect.
        assertTrue(a.pings.get() - a0 >= 5 && b.pings.get() - b0 >= 5,
                "20 calls spread: a " + (a.pings.get() - a0) + ", b " + (b.pings.get() - b0));

        GrpcChannels.close(a.server, Duration.ofSeconds(1));
        int aStopped = a.pings.get();
        int bBefore = b.pings.get();
        for (int i = 0; i < 50; i++) {
            ping(stub); // throws if a call failed
        }
        assertEquals(aStopped, a.pings.get());
        assertEquals(bBefore + 50, b.pings.get(), "every call after the stop answered by the live peer");
    }

    @Test
    void aCallAnsweredUnavailableIsRetriedOnTheOtherPeer() throws Exception {
        a = Peer.start(true);
        b = Peer.start(false);
        channel = GrpcChannels.plaintext(List.of(a.address(), b.address()), LogicGrpc.SERVICE_NAME, true);
        LogicGrpc.LogicBlockingStub stub = LogicGrpc.newBlockingStub(channel);
        Await.until("both peers connected and called", Duration.ofSeconds(20), () -> {
            try {
                ping(stub);
            } catch (StatusRuntimeException e) {
                // While only a is connected, the retry has nowhere else to go.
            }
            return a.pings.get() > 0 && b.pings.get() > 0;
        });
        int a0 = a.pings.get();
        for (int i = 0; i < 20; i++) {
            ping(stub); // throws if a call failed: those that reached a must have been retried on b
        }
        assertTrue(a.pings.get() - a0 >= 5, "calls reached the failing peer: " + (a.pings.get() - a0));
    }

    @Test
    void withoutARetryPolicyTheUnavailableAnswerReachesTheCaller() throws Exception {
        a = Peer.start(true);
        b = Peer.start(false);
        channel = GrpcChannels.plaintext(List.of(a.address(), b.address()), LogicGrpc.SERVICE_NAME, false);
        LogicGrpc.LogicBlockingStub stub = LogicGrpc.newBlockingStub(channel);
        AtomicInteger failed = new AtomicInteger();
        Await.until("a call answered UNAVAILABLE by the failing peer", Duration.ofSeconds(20), () -> {
            try {
                ping(stub);
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
                failed.incrementAndGet();
            }
            return failed.get() > 0;
        });
    }

    @Test
    void aPeerThatStopsServingGetsNoMoreCalls() throws Exception {
        a = Peer.start(false, new ServingHealth(LogicGrpc.SERVICE_NAME));
        b = Peer.start(false, new ServingHealth(LogicGrpc.SERVICE_NAME));
        channel = GrpcChannels.plaintext(List.of(a.address(), b.address()), LogicGrpc.SERVICE_NAME, true);
        LogicGrpc.LogicBlockingStub stub = LogicGrpc.newBlockingStub(channel);
        Await.until("both peers healthy and called", Duration.ofSeconds(20), () -> {
            ping(stub);
            return a.pings.get() > 0 && b.pings.get() > 0;
        });
        a.health.stopServing();
        // The health stream tells the channel at once, but asynchronously: wait until a round of calls skips a.
        Await.until("a out of the rotation", Duration.ofSeconds(10), () -> {
            int before = a.pings.get();
            for (int i = 0; i < 4; i++) {
                ping(stub);
            }
            return a.pings.get() == before;
        });
        int aStopped = a.pings.get();
        int bBefore = b.pings.get();
        for (int i = 0; i < 30; i++) {
            ping(stub);
        }
        assertEquals(aStopped, a.pings.get(), "calls to a peer that reports NOT_SERVING");
        assertEquals(bBefore + 30, b.pings.get());
    }

    @Test
    void targetsRoundTripIpv4AndIpv6Addresses() {
        List<HostPort> addresses = List.of(new HostPort("127.0.0.1", 7170), new HostPort("::1", 7171),
                new HostPort("localhost", 7172));
        String target = StaticAddressResolverProvider.target(addresses);
        assertEquals(addresses, StaticAddressResolverProvider.parse(URI.create(target)));
    }

    private static void ping(LogicGrpc.LogicBlockingStub stub) {
        stub.withDeadlineAfter(5, TimeUnit.SECONDS).ping(Empty.getDefaultInstance());
    }

    /**
     * A Logic server on a free loopback port whose Ping counts calls, and answers UNAVAILABLE if {@code failing};
     * with a standard health service when {@code health} is not null.
     */
    private record Peer(Server server, AtomicInteger pings, ServingHealth health) {
        static Peer start(boolean failing) throws Exception {
            return start(failing, null);
        }

        static Peer start(boolean failing, ServingHealth health) throws Exception {
            AtomicInteger pings = new AtomicInteger();
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
            if (health != null) {
                builder.addService(health.service());
            }
            Server server = builder
                    .addService(new LogicGrpc.LogicImplBase() {
                        @Override
                        public void ping(Empty request, StreamObserver<Empty> out) {
                            pings.incrementAndGet();
                            if (failing) {
                                out.onError(Status.UNAVAILABLE.withDescription("going away").asRuntimeException());
                                return;
                            }
                            out.onNext(Empty.getDefaultInstance());
                            out.onCompleted();
                        }
                    })
                    .build()
                    .start();
            return new Peer(server, pings, health);
        }

        HostPort address() {
            return new HostPort("127.0.0.1", server.getPort());
        }
    }
}
