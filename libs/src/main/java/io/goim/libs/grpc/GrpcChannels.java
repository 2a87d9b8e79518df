package io.goim.libs.grpc;

import io.goim.libs.config.HostPort;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
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
     * A channel over every address in {@code addresses}, authenticated as {@code auth} says
     * (mutual TLS and/or the shared secret on every call; plaintext with {@link PeerAuth#NONE}):
     * one address gives exactly {@link #channel(HostPort, PeerAuth)}; several give one channel
     * whose calls gRPC's {@code round_robin} policy spreads over the peers that are connected
     * and healthy, skipping one that is down (its subchannel in TRANSIENT_FAILURE, reconnected
     * with backoff) or that reports {@code service} NOT_SERVING on its standard health service
     * (see {@link ServingHealth}; a peer without one counts as healthy) until it is back.
     * With {@code retryUnavailable}, calls to {@code service} that fail with UNAVAILABLE
     * are retried once (see {@link ServiceConfigs#roundRobin}): only for calls that may be
     * repeated.
     *
     * @param service the full gRPC service name called, e.g. {@code goim.Logic}
     */
    public static ManagedChannel channel(List<HostPort> addresses, String service, boolean retryUnavailable,
            PeerAuth auth) {
        return addresses.size() == 1 ? channel(addresses.get(0), auth)
                : several(addresses, false, service, retryUnavailable, auth);
    }

    /** {@link #channel(List, String, boolean, PeerAuth)} with the direct executor of {@link #channelDirect(HostPort, PeerAuth)}. */
    public static ManagedChannel channelDirect(List<HostPort> addresses, String service, boolean retryUnavailable,
            PeerAuth auth) {
        return addresses.size() == 1 ? channelDirect(addresses.get(0), auth)
                : several(addresses, true, service, retryUnavailable, auth);
    }

    /** {@link #channel(List, String, boolean, PeerAuth)} without authentication. */
    public static ManagedChannel plaintext(List<HostPort> addresses, String service, boolean retryUnavailable) {
        return channel(addresses, service, retryUnavailable, PeerAuth.NONE);
    }

    /** {@link #channelDirect(List, String, boolean, PeerAuth)} without authentication. */
    public static ManagedChannel plaintextDirect(List<HostPort> addresses, String service, boolean retryUnavailable) {
        return channelDirect(addresses, service, retryUnavailable, PeerAuth.NONE);
    }

    private static ManagedChannel several(List<HostPort> addresses, boolean direct, String service,
            boolean retryUnavailable, PeerAuth auth) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no addresses");
        }
        Map<String, ?> serviceConfig = ServiceConfigs.roundRobin(service, retryUnavailable);
        String serverName = auth.hasTls() ? auth.tls().serverName() : "";
        NettyChannelBuilder b = builder(StaticAddressResolverProvider.target(addresses, serverName), direct, auth)
                .defaultLoadBalancingPolicy(ROUND_ROBIN)
                .defaultServiceConfig(serviceConfig)
                .enableRetry();
        return b.build();
    }

    /** A channel to a peer inside the cluster, with keep-alive so dead peers are noticed. */
    public static ManagedChannel channel(HostPort address, PeerAuth auth) {
        return builder(address.target(), false, auth).build();
    }

    /**
     * Like {@link #channel(HostPort, PeerAuth)}, but call callbacks run on the channel's network
     * thread instead of gRPC's shared cached thread pool: for callers whose callbacks only hand
     * the result on (complete a future, post to an event loop) and never block. Saves a
     * thread hand-off per call, which counts when thousands of calls are in flight.
     */
    public static ManagedChannel channelDirect(HostPort address, PeerAuth auth) {
        return builder(address.target(), true, auth).build();
    }

    /** {@link #channel(HostPort, PeerAuth)} without authentication. */
    public static ManagedChannel plaintext(HostPort address) {
        return channel(address, PeerAuth.NONE);
    }

    /** {@link #channelDirect(HostPort, PeerAuth)} without authentication. */
    public static ManagedChannel plaintextDirect(HostPort address) {
        return channelDirect(address, PeerAuth.NONE);
    }

    /**
     * The one place every service's channels are built: TLS credentials when mutual TLS is
     * on, the secret attached to every call when one is set, keep-alive always.
     */
    private static NettyChannelBuilder builder(String target, boolean direct, PeerAuth auth) {
        NettyChannelBuilder b;
        if (auth.hasTls()) {
            b = NettyChannelBuilder.forTarget(target, auth.tls().channelCredentials());
            if (!auth.tls().serverName().isEmpty()) {
                b.overrideAuthority(auth.tls().serverName());
            }
        } else {
            b = NettyChannelBuilder.forTarget(target).usePlaintext();
        }
        if (auth.hasSecret()) {
            b.intercept(SharedSecret.attach(auth.secret()));
        }
        if (direct) {
            b.directExecutor();
        }
        return b.keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(10, TimeUnit.SECONDS);
    }

    /**
     * A server builder for an internal gRPC service on {@code address}: mutual TLS when on,
     * and the shared secret checked on every call (except health, see
     * {@link PeerAuthInterceptor}) when set, its refusals counted in {@code registry} as
     * {@code goim_<service>_grpc_unauthenticated_total}, and every call counted and timed by
     * Micrometer's server interceptor ({@code grpc_server_*{service,method,statusCode}}, the
     * refused calls included). The caller adds its services and a {@link ServingHealth}.
     */
    public static NettyServerBuilder server(InetSocketAddress address, PeerAuth auth, MeterRegistry registry,
            String service) {
        NettyServerBuilder b = auth.hasTls() ? NettyServerBuilder.forAddress(address, auth.tls().serverCredentials())
                : NettyServerBuilder.forAddress(address);
        if (auth.hasSecret()) {
            b.intercept(new PeerAuthInterceptor(auth.secret(), registry, service));
        }
        // Added last, so it runs first: calls refused by peer auth are counted too.
        return b.intercept(new MetricCollectingServerInterceptor(registry));
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
