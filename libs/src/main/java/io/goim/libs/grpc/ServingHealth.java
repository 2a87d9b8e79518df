package io.goim.libs.grpc;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;

/**
 * A server's standard {@code grpc.health.v1.Health} service for one of its services:
 * SERVING from the start, NOT_SERVING for good from {@link #stopServing()}. Clients of several
 * addresses health-check on it (see {@link GrpcChannels#plaintext(java.util.List, String, boolean)}),
 * so a server that says it is stopping gets no new calls from them before it closes.
 *
 * <p>Thread-safe.
 */
public final class ServingHealth {
    private final HealthStatusManager manager = new HealthStatusManager();

    /** {@code service} is the full gRPC name the clients check, e.g. {@code goim.Logic}. */
    public ServingHealth(String service) {
        manager.setStatus(service, ServingStatus.SERVING);
    }

    /** To add to the server. */
    public BindableService service() {
        return manager.getHealthService();
    }

    /** Every service NOT_SERVING from now on; watching clients hear it at once. */
    public void stopServing() {
        manager.enterTerminalState();
    }
}
