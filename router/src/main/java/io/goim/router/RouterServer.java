package io.goim.router;

import com.typesafe.config.Config;
import io.goim.libs.admin.AdminServer;
import io.goim.libs.admin.Readiness;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.grpc.ServingHealth;
import io.goim.libs.lifecycle.Lifecycle;
import io.goim.libs.lifecycle.Lifecycle.Phase;
import io.goim.libs.lifecycle.ServiceMain;
import io.goim.proto.RouterGrpc;
import io.goim.router.discovery.CometRegistry;
import io.goim.router.session.Cleaner;
import io.goim.router.session.SessionStore;
import io.grpc.Server;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router service: one gRPC server in front of an in-memory {@link SessionStore}.
 * {@link #main} is the jar's entry point; tests call {@link #start} with their own
 * config (port 0 picks a free port) and {@link #close} to stop.
 */
public final class RouterServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RouterServer.class);

    private final SessionStore store;
    private final Server grpc;
    private final PrometheusMeterRegistry registry;
    private final Lifecycle lifecycle;
    private final ServingHealth health = new ServingHealth(RouterGrpc.SERVICE_NAME);
    private final AdminServer admin;
    /**
     * Random and non-zero, new at every start: logic compares it to notice a restart (an
     * empty session store) and tells comets to renew at once. Random rather than the start
     * time so that two quick restarts never look alike.
     */
    private final long incarnation = new SecureRandom().nextLong() | 1;

    private RouterServer(RouterConfig config, Lifecycle lifecycle) throws Exception {
        this.lifecycle = lifecycle;
        registry = RouterMeters.registry();
        RouterMeters meters = new RouterMeters(registry);
        store = new SessionStore(config.buckets(), config.sessionExpire(), System::nanoTime);
        Cleaner cleaner = new Cleaner(store, config.cleanInterval(), meters.sessionsExpired);
        lifecycle.onClose(Phase.REST, "cleaner", cleaner::close);
        // Comets announce about every 2 s; 10,000 is far above any cluster and bounds the map.
        CometRegistry comets = new CometRegistry(10_000, System::nanoTime);
        meters.gauges(store, comets);
        RouterService service = new RouterService(store, comets, incarnation, meters.calls);
        grpc = GrpcChannels.server(config.grpc().socketAddress(), config.peerAuth(), registry, "router")
                // Every call is a short in-memory step on the session store that never
                // blocks (RouterService): run it on the network thread instead of
                // handing each call to gRPC's cached pool and back (a thread wake-up
                // per call, which dominated a login storm's router CPU).
                .directExecutor()
                .addService(service)
                .addService(health.service())
                .build()
                .start();
        lifecycle.onClose(Phase.SERVERS, "grpc server", () -> GrpcChannels.close(grpc, config.shutdownGrace()));
        // Registered after the server, so it runs before: logic's /ready hears it first.
        lifecycle.onClose(Phase.SERVERS, "grpc health NOT_SERVING", health::stopServing);
        admin = new AdminServer("router", config.admin(), registry, this::readiness);
        lifecycle.onClose(Phase.LAST, "admin server", admin::close);
        log.info("router serving gRPC on {} (peer auth: {}), admin HTTP on port {}, sessions expire {} after the last Put or Touch, "
                + "incarnation {}", grpc.getListenSockets(), config.peerAuth().describe(), admin.port(), config.sessionExpire(), incarnation);
    }

    public static RouterServer start(Config config) throws Exception {
        return start(config, new Lifecycle("router"));
    }

    /** As {@link #start(Config)}, on {@code lifecycle} (tests fail its steps). */
    static RouterServer start(Config config, Lifecycle lifecycle) throws Exception {
        RouterConfig rc = RouterConfig.from(config);
        return Lifecycle.start(lifecycle, l -> new RouterServer(rc, l));
    }

    public static void main(String[] args) {
        ServiceMain.run("router", args, RouterServer::start);
    }

    /** The port the gRPC server listens on. */
    public int grpcPort() {
        return grpc.getPort();
    }

    /** The admin HTTP port: /metrics, /health, /ready. */
    public int adminPort() {
        return admin.port();
    }

    /** A router is ready while its gRPC server serves. */
    private CompletableFuture<Readiness> readiness() {
        return CompletableFuture.completedFuture(grpc.isShutdown() ? Readiness.notReady("router is stopping")
                : Readiness.ok());
    }

    /** This process's incarnation (see the field). */
    public long incarnation() {
        return incarnation;
    }

    /** The sessions, for in-process inspection by tests. */
    public SessionStore sessions() {
        return store;
    }

    /** The router's meters ({@link RouterMeters}), for in-process inspection by tests. */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() throws Exception {
        lifecycle.close();
    }
}
