package io.goim.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.grpc.HealthChecks;
import io.goim.libs.testing.AdminScrape;
import io.goim.proto.PutReq;
import io.goim.proto.RouterGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The router's admin port, scraped over HTTP from a router started as in production. */
class RouterAdminTest {

    @Test
    void metricsCountSessionsAndRefusedCallsAndReadyWhileServing() throws Exception {
        RouterServer router = RouterServer.start(ConfigLoader.withDefaults(ConfigFactory.parseMap(
                Map.of("router.grpc.port", 0, "router.admin.port", 0))));
        ManagedChannel channel = GrpcChannels.plaintext(new HostPort("127.0.0.1", router.grpcPort()));
        try {
            int port = router.adminPort();
            assertEquals(0.0, AdminScrape.metrics(port).value("goim_router_sessions", "service", "router"));
            RouterGrpc.RouterBlockingStub stub = RouterGrpc.newBlockingStub(channel);
            stub.put(PutReq.newBuilder().setUserId(7).setServer(1).setRoomKey("3").build());
            stub.put(PutReq.newBuilder().setUserId(8).setServer(1).setRoomKey("3").build());
            try {
                stub.put(PutReq.newBuilder().setUserId(9).setServer(0).build());
            } catch (StatusRuntimeException expected) {
                // server 0 is refused with INVALID_ARGUMENT
            }
            AdminScrape.Metrics m = AdminScrape.metrics(port);
            assertEquals(2.0, m.value("goim_router_sessions"));
            assertEquals(1.0, m.value("goim_router_invalid_arguments_total"));
            assertEquals(0.0, m.value("goim_router_sessions_expired_total"));
            // Every gRPC server counts its calls, refused ones included, and serves grpc.health.v1.
            assertEquals(2.0, m.value("grpc_server_processing_duration_seconds_count", "method", "Put",
                    "statusCode", "OK"));
            assertEquals(1.0, m.value("grpc_server_processing_duration_seconds_count", "method", "Put",
                    "statusCode", "INVALID_ARGUMENT"));
            assertEquals(ServingStatus.SERVING,
                    HealthChecks.check(channel, RouterGrpc.SERVICE_NAME, Duration.ofSeconds(5)).get());
            assertEquals(200, AdminScrape.status(port, "/health"));
            assertEquals(200, AdminScrape.status(port, "/ready"));
        } finally {
            GrpcChannels.close(channel, Duration.ofSeconds(2));
            router.close();
        }
    }
}
