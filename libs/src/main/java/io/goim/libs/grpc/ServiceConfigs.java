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
     * {@code round_robin} over the resolved addresses, and a retry policy for every method
     * of {@code retriedServices} (full names such as {@code goim.Logic}): a call that ends
     * UNAVAILABLE (its peer closed or was killed mid-call, or refused the connection) is
     * sent once more, after 10-100 ms, and round_robin picks a READY peer for it. The retry
     * stays within the call's deadline. gRPC already retries on its own a call that never
     * left the client ("transparent retry"); this policy also covers one that reached a peer
     * that then went away.
     */
    static Map<String, ?> roundRobin(List<String> retriedServices) {
        Map<String, Object> lb = Map.of(GrpcChannels.ROUND_ROBIN, Map.of());
        if (retriedServices.isEmpty()) {
            return Map.of("loadBalancingConfig", List.of(lb));
        }
        Map<String, Object> retry = Map.of(
                "maxAttempts", MAX_ATTEMPTS,
                "initialBackoff", "0.01s",
                "maxBackoff", "0.1s",
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        List<Map<String, Object>> names = retriedServices.stream()
                .map(s -> Map.<String, Object>of("service", s))
                .toList();
        return Map.of(
                "loadBalancingConfig", List.of(lb),
                "methodConfig", List.of(Map.of("name", names, "retryPolicy", retry)));
    }
}
