package io.goim.libs.grpc;

import io.goim.libs.config.HostPort;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Building and closing gRPC channels and servers the same way in every service. */
public final class GrpcChannels {
    /** gRPC's own policy: one subchannel per address, calls spread over the READY ones. */
    static final String ROUND_ROBIN = "round_robin";

    static {
        // Registered once, in code rather than by a META-INF/services entry, so that it is
        // there whichever way the service is packaged.
        NameResolverRegistry.getDefaultRegistry().register(new StaticAddressResolverProvider());
    }

    private GrpcChannels() {
    }

    /**
     * A plaintext channel over every address in {@code addresses}: one address gives exactly
     * {@link #plaintext(HostPort)}; several give one channel whose calls gRPC's
     * {@code round_robin} policy spreads over the peers that are connected and healthy,
     * skipping one that is down (its subchannel in TRANSIENT_FAILURE, reconnected with
     * backoff) or that reports {@code service} NOT_SERVING on its standard health service
     * (see {@link ServingHealth}; a peer without one counts as healthy) until it is back.
     * With {@code retryUnavailable}, calls to {@code service} that fail with UNAVAILABLE
     * are retried once (see {@link ServiceConfigs#roundRobin}): only for calls that may be
     * repeated.
     *
     * @param service the full gRPC service name called, e.g. {@code goim.Logic}
     */
    public static ManagedChannel plaintext(List<HostPort> addresses, String service, boolean retryUnavailable) {
        return addresses.size() == 1 ? plaintext(addresses.get(0)) : several(addresses, false, service, retryUnavailable);
    }

    /** {@link #plaintext(List, String, boolean)} with the direct executor of {@link #plaintextDirect(HostPort)}. */
    public static ManagedChannel plaintextDirect(List<HostPort> addresses, String service, boolean retryUnavailable) {
        return addresses.size() == 1 ? plaintextDirect(addresses.get(0))
                : several(addresses, true, service, retryUnavailable);
    }

    private static ManagedChannel several(List<HostPort> addresses, boolean direct, String service,
            boolean retryUnavailable) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no addresses");
        }
        Map<String, ?> serviceConfig = ServiceConfigs.roundRobin(service, retryUnavailable);
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(StaticAddressResolverProvider.target(addresses))
                .usePlaintext()
                .defaultLoadBalancingPolicy(ROUND_ROBIN)
                .defaultServiceConfig(serviceConfig)
                .enableRetry()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS);
        if (direct) {
            b.directExecutor();
        }
        return b.build();
    }

    /** A plaintext channel to a peer inside the cluster, with keep-alive so dead peers are noticed. */
    public static ManagedChannel plaintext(HostPort address) {
        return NettyChannelBuilder.forTarget(address.target())
                .usePlaintext()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .build();
    }

    /**
     * Like {@link #plaintext}, but call callbacks run on the channel's network thread
     * instead of gRPC's shared cached thread pool: for callers whose callbacks only hand
     * the result on (complete a future, post to an event loop) and never block. Saves a
     * thread hand-off per call, which counts when thousands of calls are in flight.
     */
    public static ManagedChannel plaintextDirect(HostPort address) {
        return NettyChannelBuilder.forTarget(address.target())
                .usePlaintext()
                .directExecutor()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .build();
    }

    /** Orderly shutdown: refuse new calls, let in-flight calls finish within {@code grace}, then cancel. */
    public static void close(ManagedChannel channel, Duration grace) throws InterruptedException {
        channel.shutdown();
        if (!channel.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            channel.shutdownNow();
            channel.awaitTermination(1, TimeUnit.SECONDS);
        }
    }

    /** Orderly shutdown of a server: stop accepting, let calls finish within {@code grace}, then cancel. */
    public static void close(Server server, Duration grace) throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            server.shutdownNow();
            server.awaitTermination(1, TimeUnit.SECONDS);
        }
    }
}
