package io.goim.logic;

import com.typesafe.config.Config;
import io.goim.libs.admin.AdminServer;
import io.goim.libs.admin.KafkaReadiness;
import io.goim.libs.admin.Readiness;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.grpc.ServingHealth;
import io.goim.libs.lifecycle.Lifecycle;
import io.goim.libs.lifecycle.Lifecycle.Phase;
import io.goim.libs.lifecycle.ServiceMain;
import io.goim.logic.discovery.CometView;
import io.goim.logic.http.HttpApiHandler;
import io.goim.logic.http.HttpApiServer;
import io.goim.logic.http.NodesEndpoint;
import io.goim.logic.push.PushDomainService;
import io.goim.logic.push.PushProducer;
import io.goim.logic.session.Counts;
import io.goim.logic.session.LoginUndos;
import io.goim.logic.session.LookupBatcher;
import io.goim.logic.session.RedisSessionStore;
import io.goim.logic.session.RouterEpochs;
import io.goim.logic.session.Routers;
import io.goim.logic.session.SessionStore;
import io.goim.proto.LogicGrpc;
import io.grpc.Server;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logic service: gRPC Connect/Disconnect for comets, the HTTP push API for
 * backends, the session store (routers or Redis) and the Kafka producer behind them. {@link #main} is the
 * jar's entry point; tests call {@link #start} and {@link #close}.
 */
public final class LogicServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogicServer.class);

    private final Lifecycle lifecycle;
    private final Server grpc;
    private final HttpApiServer http;
    private final PrometheusMeterRegistry registry = LogicMeters.registry();
    private final LogicMeters meters = new LogicMeters(registry);
    private final ServingHealth health = new ServingHealth(LogicGrpc.SERVICE_NAME);
    private final AdminServer admin;
    private final PushDomainService pushes;

    private LogicServer(LogicConfig config, Lifecycle lifecycle) throws Exception {
        this.lifecycle = lifecycle;
        Authenticator authenticator = Authenticators.create(config);
        SessionStore routers = config.redisSessions()
                ? new RedisSessionStore(config.redis(), meters.redisErrors, System::currentTimeMillis)
                : new Routers(config.routers(), config.routerTimeout(), meters::routerCalls, config.peerAuth());
        lifecycle.onClose(Phase.REST, config.redisSessions() ? "redis client" : "router clients", routers::close);
        PushProducer producer = new PushProducer(config.kafkaBootstrap(), config.topic(),
                config.sendTimeout(), config.kafkaProperties(), meters.kafkaSend);
        lifecycle.onClose(Phase.REST, "kafka producer", producer::close);
        ThreadPoolExecutor sendExecutor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(10_000), r -> new Thread(r, "logic-kafka-send"));
        lifecycle.onClose(Phase.REST, "kafka send executor", () -> {
            sendExecutor.shutdown();
            sendExecutor.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
        });
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "logic-timer");
            t.setDaemon(true);
            return t;
        });
        lifecycle.onClose(Phase.REST, "count timer", timer::shutdownNow);
        Counts counts = new Counts(routers);
        // Retries only start store calls on the timer; they never wait there.
        LoginUndos undos = new LoginUndos(routers, timer, config.undoRetry(), meters.undos);
        meters.gauges(undos);
        RouterEpochs epochs = new RouterEpochs(routers, routers.shardCount(), config.routerHealWindow(),
                System::nanoTime, meters.routerRestarts);
        // 1,024 users per merged lookup: a few KB per router MGet, far below gRPC's message limit.
        LookupBatcher lookups = new LookupBatcher(routers, 1024, meters);
        pushes = new PushDomainService(routers, lookups, epochs, producer, sendExecutor,
                config.serverDelAliveWindow());

        grpc = GrpcChannels.server(config.grpc().socketAddress(), config.peerAuth(), registry, "logic")
                .addService(new LogicService(authenticator, routers, epochs, config.maxSessionsPerUser(),
                        () -> counts.snapshot().rooms(), undos, meters))
                .addService(health.service())
                .build()
                .start();
        lifecycle.onClose(Phase.SERVERS, "grpc server", () -> GrpcChannels.close(grpc, config.shutdownGrace()));
        CometView cometView = new CometView(routers.directory(), meters.nodesRefreshFailures,
                config.nodes().cpuWeight());
        meters.gauges(cometView);
        http = new HttpApiServer(config.http().socketAddress(), config.httpThreads(), config.httpMaxBody(),
                config.httpMaxPipelined(), config.httpLimits(), registry,
                new HttpApiHandler(api(pushes, counts, cometView), meters.http, config.apiKeys(),
                        new NodesEndpoint(cometView, config.nodes())));
        // After the gRPC server's step, so it runs before it: requests already read are answered first.
        lifecycle.onClose(Phase.SERVERS, "http connections", () -> http.close(config.shutdownGrace()));
        // Stop taking requests first; in-flight ones still find routers and Kafka open.
        lifecycle.onClose(Phase.STOP_ACCEPTING, "http accept", http::stopAccepting);
        // Comets given several logics health-check them: NOT_SERVING first (registered
        // last in its phase) sends their new logins to the other logics before this one
        // stops taking calls.
        lifecycle.onClose(Phase.STOP_ACCEPTING, "grpc health NOT_SERVING", health::stopServing);
        counts.start(timer, config.countRefresh().toMillis());
        cometView.start(timer, config.nodes().refresh().toMillis());
        epochs.start(timer, config.routerWatchInterval());
        Duration checkDeadline = config.admin().checkDeadline();
        KafkaReadiness kafka = new KafkaReadiness(config.kafkaBootstrap(), config.topic(), checkDeadline,
                "goim-logic-ready");
        lifecycle.onClose(Phase.REST, "kafka readiness client", kafka::close);
        admin = new AdminServer("logic", config.admin(), registry,
                () -> Readiness.all(List.of(kafka.check(), routers.ready(checkDeadline))));
        // Closed last: /health answers while the rest drains.
        lifecycle.onClose(Phase.LAST, "admin server", admin::close);
        log.info("logic serving gRPC on {} (peer auth: {}), HTTP on port {} ({}), admin HTTP on port {}, {}, "
                        + "kafka {} topic {}", grpc.getListenSockets(), config.peerAuth().describe(), http.port(),
                config.apiKeys().required() ? "API keys required" : "open: no API keys set",
                admin.port(), routers.describe(), config.kafkaBootstrap(), config.topic());
    }

    public static LogicServer start(Config config) throws Exception {
        return start(config, new Lifecycle("logic"));
    }

    /** As {@link #start(Config)}, on {@code lifecycle} (tests fail its steps). */
    static LogicServer start(Config config, Lifecycle lifecycle) throws Exception {
        LogicConfig lc = LogicConfig.from(config);
        return Lifecycle.start(lifecycle, l -> new LogicServer(lc, l));
    }

    public static void main(String[] args) {
        ServiceMain.run("logic", args, LogicServer::start);
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    public int httpPort() {
        return http.port();
    }

    /** The admin HTTP port: /metrics, /health, /ready. */
    public int adminPort() {
        return admin.port();
    }

    /**
     * Pushes {@code msg} (op 5) to every connection in room {@code roomKey}, a room key
     * ("1000" for v1's room 1000, "live://1000" for a typed room): the push pipeline's room
     * entry, which v1's {@code /1/push/room?rid=N} reaches with "N". Completes when Kafka
     * acknowledged the record.
     */
    public CompletableFuture<Void> pushRoom(String roomKey, byte[] msg) {
        return pushes.pushRoom(roomKey, msg, false);
    }

    /** Where logic's meters are (also after {@link #close}): what {@code /metrics} shows. */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() throws Exception {
        lifecycle.close();
    }

    private static HttpApiHandler.PushApi api(PushDomainService pushes, Counts counts, CometView comets) {
        return new HttpApiHandler.PushApi() {
            @Override
            public CompletableFuture<Void> pushUsers(List<Long> userIds, byte[] msg) {
                return pushes.pushUsers(userIds, msg);
            }

            @Override
            public CompletableFuture<Void> pushRoom(String room, byte[] msg, boolean ensure) {
                return pushes.pushRoom(room, msg, ensure);
            }

            @Override
            public CompletableFuture<Void> pushAll(byte[] msg) {
                return pushes.pushAll(msg);
            }

            @Override
            public CompletableFuture<Void> delServer(int server, boolean force) {
                return pushes.delServer(server, force);
            }

            @Override
            public Map<String, Integer> roomCounts() {
                return counts.snapshot().rooms();
            }

            @Override
            public Map<Integer, Integer> serverCounts() {
                return counts.snapshot().servers();
            }

            @Override
            public CompletableFuture<Void> pushKeys(List<String> keys, int op, byte[] msg) {
                return pushes.pushKeys(keys, op, msg);
            }

            @Override
            public CompletableFuture<Void> pushUsers(List<Long> userIds, int op, byte[] msg) {
                return pushes.pushUsers(userIds, op, msg);
            }

            @Override
            public CompletableFuture<Void> pushRoom(String room, int op, byte[] msg) {
                return pushes.pushRoom(room, op, msg, false);
            }

            @Override
            public CompletableFuture<Void> pushAll(int op, int speed, byte[] msg) {
                return pushes.pushAll(op, speed, msg);
            }

            /**
             * Connections from the last counts snapshot, like /1/count; client addresses, as
             * goim v2, summed over the comets' announcements (logic's cached view): each comet
             * counts the addresses with a connection open on it, so an address connected to
             * two comets counts twice, as in goim v2.
             */
            @Override
            public CompletableFuture<HttpApiHandler.OnlineTotal> onlineTotal() {
                long conns = 0;
                for (int n : counts.snapshot().servers().values()) {
                    conns += n;
                }
                long ips = 0;
                for (io.goim.proto.CometInstance c : comets.instances()) {
                    ips += c.getClientAddresses();
                }
                return CompletableFuture.completedFuture(new HttpApiHandler.OnlineTotal(ips, conns));
            }
        };
    }
}
