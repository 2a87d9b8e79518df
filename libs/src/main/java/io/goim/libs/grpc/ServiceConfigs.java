package io.goim.libs.grpc;

import java.util.List;
import java.util.Map;

/**
 * gRPC service configs (the JSON of gRPC's service-config spec, as the nested maps and
 * lists the channel builder takes; numbers must be doubles).
 */
final class ServiceConfigs {
    /** One retry: enough to move a call off a peer that died under it; more would only pile on. */
    static final double MAX_ATTEMPTS = 2;

    private ServiceConfigs() {
    }

    /**
     * {@code round_robin} over the resolved addresses, over the ones whose standard health
     * service reports {@code service} SERVING (gRPC's client-side health checking, from
     * grpc-services; a peer that has no health service counts as healthy), and, with
     * {@code retryUnavailable}, a retry policy for every method of {@code service}: a call
     * that ends UNAVAILABLE (its peer closed or was killed mid-call) is sent once more,
     * after 10-100 ms, and round_robin picks a READY peer for it. The retry stays within
     * the call's deadline. gRPC already re-sends on its own a call that never left the
     * client ("transparent retry"); this policy also covers one that reached a peer that
     * then went away.
     */
    static Map<String, ?> roundRobin(String service, boolean retryUnavailable) {
        Map<String, Object> lb = Map.of(GrpcChannels.ROUND_ROBIN, Map.of());
        Map<String, Object> health = Map.of("serviceName", service);
        if (!retryUnavailable) {
            return Map.of("loadBalancingConfig", List.of(lb), "healthCheckConfig", health);
        }
        Map<String, Object> retry = Map.of(
                "maxAttempts", MAX_ATTEMPTS,
                "initialBackoff", "0.01s",
                "maxBackoff", "0.1s",
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        return Map.of(
                "loadBalancingConfig", List.of(lb),
                "healthCheckConfig", health,
                "methodConfig", List.of(Map.of("name", List.of(Map.of("service", service)), "retryPolicy", retry)));
    }
}
