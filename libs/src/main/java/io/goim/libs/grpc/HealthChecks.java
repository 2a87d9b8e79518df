package io.goim.libs.grpc;

import io.goim.libs.admin.Readiness;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Calls a peer's standard {@code grpc.health.v1.Health/Check} (what {@link ServingHealth}
 * serves): the one way a service asks whether a peer is up, for {@code /ready} and for
 * job's comet poll.
 *
 * <p>A peer from before every server had the health service (a router of an older release,
 * during a rolling upgrade) answers UNIMPLEMENTED: it answered, so it counts as SERVING,
 * as gRPC's own client-side health checking treats it.
 */
public final class HealthChecks {
    private HealthChecks() {
    }

    /**
     * The status {@code channel}'s peer reports for {@code service} (its full gRPC name,
     * e.g. {@code goim.Comet}), within {@code deadline}; fails when the peer does not answer.
     * Pass a channel with the caller's interceptors (a stub's {@code getChannel()}): the
     * peer-auth secret and the call metrics.
     */
    public static CompletableFuture<ServingStatus> check(Channel channel, String service, Duration deadline) {
        HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(service).build();
        return Futures.of(HealthGrpc.newFutureStub(channel)
                        .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS).check(request))
                .thenApply(HealthCheckResponse::getStatus)
                .exceptionally(e -> {
                    if (Status.fromThrowable(e).getCode() == Status.Code.UNIMPLEMENTED) {
                        return ServingStatus.SERVING; // an older peer without the health service
                    }
                    throw e instanceof CompletionException c ? c : new CompletionException(e);
                });
    }

    /** Ready when {@code peer} reports {@code service} SERVING within {@code deadline}; otherwise why not. */
    public static CompletableFuture<Readiness> readiness(String peer, Channel channel, String service,
            Duration deadline) {
        CompletableFuture<ServingStatus> status = check(channel, service, deadline);
        return Readiness.ofCall(peer, status).thenCombine(status.handle((s, e) -> s), (answered, s) ->
                answered.ready() && s != ServingStatus.SERVING ? Readiness.notReady(peer + ": " + s) : answered);
    }
}
