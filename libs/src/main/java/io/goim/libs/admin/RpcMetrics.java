package io.goim.libs.admin;

import io.grpc.ClientInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingClientInterceptor;

/**
 * Latency and outcome of the gRPC calls a service makes, per peer: Micrometer's client
 * interceptor with a {@code peer} tag, giving (in Prometheus text)
 * {@code grpc_client_processing_duration_seconds{peer,method,statusCode}} (count, sum, max:
 * latency and errors by status) and {@code grpc_client_requests_sent_total{peer,method}}.
 */
public final class RpcMetrics {
    private RpcMetrics() {
    }

    /** An interceptor to put on the stubs that call {@code peer} (e.g. "router-1", "logic"). */
    public static ClientInterceptor interceptor(MeterRegistry registry, String peer) {
        return new MetricCollectingClientInterceptor(registry,
                counter -> counter.tag("peer", peer),
                timer -> timer.tag("peer", peer));
    }
}
