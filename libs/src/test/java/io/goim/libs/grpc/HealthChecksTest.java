package io.goim.libs.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.admin.Readiness;
import io.goim.libs.config.HostPort;
import io.goim.libs.testing.GrpcPeer;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a health check says of a peer that serves, one that is stopping, an older one, and none. */
class HealthChecksTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final String SERVICE = "goim.Test";

    @Test
    void servingThenNotServingAfterStopServing() throws Exception {
        ServingHealth health = new ServingHealth(SERVICE);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(health.service()).build().start();
        ManagedChannel channel = GrpcChannels.plaintext(new HostPort("127.0.0.1", server.getPort()));
        try {
            assertEquals(ServingStatus.SERVING, HealthChecks.check(channel, SERVICE, DEADLINE).get());
            assertTrue(HealthChecks.readiness("peer", channel, SERVICE, DEADLINE).get().ready());
            health.stopServing();
            assertEquals(ServingStatus.NOT_SERVING, HealthChecks.check(channel, SERVICE, DEADLINE).get());
            Readiness stopping = HealthChecks.readiness("peer", channel, SERVICE, DEADLINE).get();
            assertFalse(stopping.ready());
            assertEquals("peer: NOT_SERVING", stopping.detail());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPeerWithoutTheHealthServiceAnsweredSoItServes() throws Exception {
        try (GrpcPeer older = new GrpcPeer()) {
            ManagedChannel channel = GrpcChannels.plaintext(HostPort.parse("peer", older.address()));
            try {
                assertEquals(ServingStatus.SERVING, HealthChecks.check(channel, SERVICE, DEADLINE).get());
                assertTrue(HealthChecks.readiness("older", channel, SERVICE, DEADLINE).get().ready());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aPeerThatDoesNotAnswerIsNotReady() throws Exception {
        int port;
        try (GrpcPeer gone = new GrpcPeer()) {
            port = Integer.parseInt(gone.address().substring(gone.address().indexOf(':') + 1));
        }
        ManagedChannel channel = GrpcChannels.plaintext(new HostPort("127.0.0.1", port));
        try {
            Readiness r = HealthChecks.readiness("gone", channel, SERVICE, DEADLINE).get();
            assertFalse(r.ready());
            assertTrue(r.detail().startsWith("gone: "), r.detail());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
