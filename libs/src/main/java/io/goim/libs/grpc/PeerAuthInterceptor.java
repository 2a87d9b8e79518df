package io.goim.libs.grpc;

import io.goim.libs.log.RateLimitedLog;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, with UNAUTHENTICATED, every call that does not carry the shared secret, before
 * the call reaches its service: nothing of the request is read. Counted as
 * {@code goim_<service>_grpc_unauthenticated_total{reason=missing|wrong}} and logged at
 * most every 10 s.
 *
 * <p>{@code grpc.health.v1.Health} is let through without the secret: gRPC's client-side
 * health checking (round_robin over several logics or comet addresses) calls it on each
 * subchannel directly, past the channel's interceptors, so it cannot carry the header; and
 * it tells nothing but SERVING or NOT_SERVING. With mutual TLS on, health needs a client
 * certificate like everything else (the TLS handshake comes first).
 *
 * <p>Thread-safe.
 */
final class PeerAuthInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(PeerAuthInterceptor.class);
    private static final String HEALTH = HealthGrpc.SERVICE_NAME;

    private final byte[] expected;
    private final Counter missing;
    private final Counter wrong;
    private final RateLimitedLog refusedLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    PeerAuthInterceptor(String secret, MeterRegistry registry, String service) {
        this.expected = SharedSecret.sha256(secret);
        String name = "goim_" + service + "_grpc_unauthenticated";
        String help = "gRPC calls refused for a missing or wrong peer secret (peer-auth.secret)";
        this.missing = Counter.builder(name).description(help).tag("reason", "missing").register(registry);
        this.wrong = Counter.builder(name).description(help).tag("reason", "wrong").register(registry);
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        if (HEALTH.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        String sent = headers.get(SharedSecret.HEADER);
        if (sent != null && MessageDigest.isEqual(expected, SharedSecret.sha256(sent))) {
            return next.startCall(call, headers);
        }
        String reason = sent == null ? "missing" : "wrong";
        (sent == null ? missing : wrong).increment();
        refusedLog.warn("refused gRPC call {} from {}: {} peer secret", call.getMethodDescriptor().getFullMethodName(),
                call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), reason);
        call.close(Status.UNAUTHENTICATED.withDescription(reason + " peer secret (peer-auth.secret)"), new Metadata());
        return new ServerCall.Listener<>() { };
    }
}
