package io.goim.comet;

import io.goim.comet.cluster.Advertised;
import io.goim.comet.cluster.CometAnnouncer;
import io.goim.comet.cluster.CpuLoad;
import io.goim.comet.cluster.Drainer;
import io.goim.comet.cluster.LogicClient;
import io.goim.comet.cluster.RouterEpochWatch;
import io.goim.comet.cluster.SessionRenewer;
import io.goim.comet.cluster.UpstreamProducer;
import io.goim.comet.push.PushGrpcService;
import io.goim.comet.push.RepeatedCalls;
import io.goim.comet.transport.PerIpGate;
import io.goim.comet.transport.ServerTls;
import com.typesafe.config.Config;
import io.goim.libs.admin.AdminServer;
import io.goim.libs.admin.Readiness;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.Listen;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.grpc.ServingHealth;
import io.goim.libs.lifecycle.Lifecycle;
import io.goim.libs.lifecycle.Lifecycle.Phase;
import io.goim.libs.lifecycle.ServiceMain;
import io.goim.protocol.Transport;
import io.goim.protocol.RoomKeys;
import io.goim.proto.CometGrpc;
import io.grpc.ServerInterceptors;
import io.grpc.Server;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The comet service: client listeners (TCP, WebSocket, and both over TLS when a
 * certificate is configured), the push service job calls, and the logic client used for
 * auth. {@link #main} is the jar's entry point; tests and benchmarks call
 * {@link #start} (port 0 picks free ports) and {@link #close}.
 */
public final class CometServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometServer.class);

    /** Netty's default first read size, and what the adaptive allocator mostly settles at for small ops. */
    private static final FixedRecvByteBufAllocator READS = new FixedRecvByteBufAllocator(2048);

    private final Lifecycle lifecycle;
    private final CometParts parts;
    private final ConfigReloader reloader;
    private final Channel tcp;
    private final Channel websocket;
    private final Channel tlsTcp;
    private final Channel tlsWebsocket;
    private final Server grpc;
    private final ServingHealth health = new ServingHealth(CometGrpc.SERVICE_NAME);
    private final AdminServer admin;
    /** Set by {@link #halt}: stop without withdrawing, as a crash would. */
    private volatile boolean halted;

    private CometServer(CometConfig config, Supplier<Config> reloadSource, Runnable reloadLogging, Lifecycle lifecycle)
            throws Exception {
        this.lifecycle = lifecycle;
        Transport transport = Transport.best();
        PrometheusMeterRegistry registry = AdminServer.newRegistry("comet");
        CometMeters meters = new CometMeters(registry);
        LogicClient logic = new LogicClient(config.logic(), config.logicTimeout(), config.serverId(), registry,
                config.peerAuth());
        lifecycle.onClose(Phase.REST, "logic client", logic::close);
        UpstreamProducer upstream = config.upstream().mode() == CometConfig.Upstream.Mode.KAFKA
                ? new UpstreamProducer(config.upstream(), config.admin().checkDeadline(), meters.upstream) : null;
        if (upstream != null) {
            // Before the logic client, after the connections: records still in flight get their acknowledgement (or timeout).
            lifecycle.onClose(Phase.REST, "upstream kafka producer", upstream::close);
        }
        parts = new CometParts(config, logic, upstream, meters);
        // Heartbeat timers, disconnect retries (and the room counts and pacer, if not stopped earlier).
        lifecycle.onClose(Phase.REST, "disconnect retries", parts::close);
        // After the push server (no broadcast starts any more), before the client event loops
        // stop: the broadcasts still being paced end and release their messages.
        lifecycle.onClose(Phase.SERVERS, "paced broadcasts", parts.pacedBroadcasts()::close);
        reloader = new ConfigReloader(reloadSource, parts.whitelist(), meters.reloads, reloadLogging);
        EventLoopGroup boss = transport.group(1, "comet-accept");
        lifecycle.onClose(Phase.EVENT_LOOPS, "accept loop", () -> boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).await());
        EventLoopGroup workers = transport.group(config.eventLoopThreads(), "comet-io");
        lifecycle.onClose(Phase.EVENT_LOOPS, "client connections", () -> workers.shutdownGracefully(0,
                config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS).await());
        // Runs on the accept loop and holds nothing else: it stops with the listeners and that loop.
        PerIpGate perIp = new PerIpGate(boss.next(), config.limits(), meters.connectionsRefused);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, config.acceptBacklog() > 0 ? config.acceptBacklog() : NetUtil.SOMAXCONN)
                // Per-address connection cap and rate, checked as each client connection is accepted.
                .handler(perIp)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Clients send small ops (a packet is at most max-body + 16 bytes), so one
                // read buffer size serves them; one allocator for all connections, whose
                // per-connection state is 32 bytes smaller than the adaptive one's.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, READS)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.lowWaterMark(), config.highWaterMark()));
        SslContext ssl = ServerTls.context(config.tls());
        // Closes those bound so far; registered before the first bind.
        lifecycle.onClose(Phase.STOP_ACCEPTING, "client accept", this::closeListeners);
        tcp = bind(bootstrap, config.tcp(), parts.tcp(null));
        websocket = bind(bootstrap, config.websocket(), parts.websocket(null));
        tlsTcp = ssl == null ? null : bind(bootstrap, config.tls().tcp(), parts.tcp(ssl));
        tlsWebsocket = ssl == null ? null
                : bind(bootstrap, config.tls().websocket(), parts.websocket(ssl));
        // GrpcChannels.server counts the pushes received, by RPC.
        grpc = GrpcChannels.server(config.grpc().socketAddress(), config.peerAuth(), registry, "comet")
                // Retries of a call already applied are answered, not applied again (in memory,
                // bounded; nothing to close beyond the server).
                .addService(ServerInterceptors.intercept(new PushGrpcService(parts.outboxes(), parts.pacedBroadcasts(),
                        parts.connections(), meters.pushControlOpsRefused),
                        new RepeatedCalls(Duration.ofSeconds(30), System::nanoTime, meters.repeats)))
                .addService(health.service())
                .build()
                .start();
        lifecycle.onClose(Phase.SERVERS, "push grpc server", () -> GrpcChannels.close(grpc, config.shutdownGrace()));
        // Pushes keep coming while clients drain; then jobs that health-check this comet's addresses stop calling.
        lifecycle.onClose(Phase.SERVERS, "grpc health NOT_SERVING", health::stopServing);
        // The drain steps run last registered first: epoch watch, room counts, renewer, drain, withdraw.
        CometAnnouncer announcer = config.discovery().enabled() ? new CometAnnouncer(
                Advertised.instance(config, tcp, websocket, tlsTcp, tlsWebsocket, grpc), parts.connections()::online,
                perIp::addressesOpen, CpuLoad.ofThisProcess(config.discovery().cpuSmoothing())::sample,
                logic::announce, logic::withdraw, config.logicTimeout(), meters.announcedOk, meters.announceFailed)
                : null;
        if (announcer != null) {
            // The clients are gone: job may stop pushing here (it drops the comet at its next poll).
            lifecycle.onClose(Phase.DRAIN, "withdraw announcement", () -> {
                if (!halted) {
                    announcer.withdraw();
                }
            });
            // First: the nodes API stops sending clients here; job keeps pushing to those draining.
            lifecycle.onClose(Phase.STOP_ACCEPTING, "announce draining", () -> {
                if (halted) {
                    announcer.close();
                } else {
                    announcer.draining();
                }
            });
        }
        // Graceful drain: no more renews; op 6 and close every client over the window; Disconnects reach logic.
        Drainer drainer = new Drainer(parts.connections(), parts.disconnects(), parts.replies(), meters.drained,
                parts.whitelist(), config.shutdownGrace());
        lifecycle.onClose(Phase.DRAIN, "drain clients", () -> drainer.drain(config.drainWindow()));
        SessionRenewer renewer = new SessionRenewer(config, parts.connections(), logic, meters.renew, parts.whitelist());
        lifecycle.onClose(Phase.DRAIN, "session renewer", renewer::close);
        renewer.start();
        // Stops before the drain, as the renewer: draining clients' heartbeats carry the last counts.
        lifecycle.onClose(Phase.DRAIN, "room online counts", parts.roomOnline()::close);
        parts.roomOnline().start();
        RouterEpochWatch epochWatch = new RouterEpochWatch(logic::routerEpoch, renewer::renewNow,
                config.routerEpochPoll(), meters.routerEpochChanges);
        lifecycle.onClose(Phase.DRAIN, "router epoch watch", epochWatch::close);
        if (announcer != null) {
            announcer.start(config.discovery().announceInterval());
        }
        meters.gauges(parts.connections(), parts.logins(), parts.outboxes(), perIp, parts.pacedBroadcasts());
        // Kafka mode: not ready while the upstream topic cannot be described (no client message could be answered).
        admin = new AdminServer("comet", config.admin(), registry, upstream == null
                ? () -> logic.ready(config.admin().checkDeadline())
                : () -> Readiness.all(List.of(logic.ready(config.admin().checkDeadline()), upstream.ready())));
        // Last: /health answers while clients drain.
        lifecycle.onClose(Phase.LAST, "admin server", admin::close);
        log.info("comet {} ({}) admin HTTP on port {}", config.serverId(), transport, admin.port());
        log.info("comet {} ({}) serving TCP on {}, WebSocket on {}{}, push gRPC on {} (peer auth: {}), logic at {}, "
                        + "client messages: {}", config.serverId(),
                transport, tcp.localAddress(), websocket.localAddress(),
                tlsTcp == null ? "" : ", TLS TCP on " + tlsTcp.localAddress() + ", wss on " + tlsWebsocket.localAddress(),
                grpc.getListenSockets(), config.peerAuth().describe(), config.logic(),
                upstream == null ? "echo" : "kafka " + config.upstream().bootstrapServers() + " topic " + config.upstream().topic());
    }

    private static Channel bind(ServerBootstrap bootstrap, Listen listen, ChannelHandler initializer)
            throws InterruptedException {
        return bootstrap.clone().childHandler(initializer).bind(listen.socketAddress()).sync().channel();
    }

    private void closeListeners() throws InterruptedException {
        for (Channel c : new Channel[] {tcp, websocket, tlsTcp, tlsWebsocket}) {
            if (c != null) {
                c.close().sync();
            }
        }
    }

    /**
     * Starts a comet inside this JVM from {@code config}. {@link #reload} re-reads the same
     * config and leaves the embedding program's log configuration alone.
     */
    public static CometServer start(Config config) throws Exception {
        return start(config, new Lifecycle("comet"));
    }

    /** As {@link #start(Config)}, on {@code lifecycle} (tests fail its steps). */
    static CometServer start(Config config, Lifecycle lifecycle) throws Exception {
        CometConfig cc = CometConfig.from(config);
        return Lifecycle.start(lifecycle, l -> new CometServer(cc, () -> config, () -> { }, l));
    }

    public static void main(String[] args) {
        ServiceMain.run("comet", args, config -> {
            CometConfig cc = CometConfig.from(config);
            CometServer server = Lifecycle.start(new Lifecycle("comet"),
                    l -> new CometServer(cc, () -> ConfigLoader.load(args), ConfigReloader.LOGBACK, l));
            server.reloader.onSighup();
            return server;
        });
    }

    /** Re-reads the whitelist (and, in a comet process, the log configuration), as SIGHUP does; false if invalid. */
    public boolean reload() {
        return reloader.reload();
    }

    public int tcpPort() {
        return port(tcp);
    }

    public int websocketPort() {
        return port(websocket);
    }

    /** The TLS TCP port, or -1 when TLS is off. */
    public int tlsTcpPort() {
        return port(tlsTcp);
    }

    /** The wss port, or -1 when TLS is off. */
    public int tlsWebsocketPort() {
        return port(tlsWebsocket);
    }

    private static int port(Channel c) {
        return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    /** Number of authenticated connections. */
    public int online() {
        return parts.connections().online();
    }

    /** Logins waiting for room in the login window. */
    public int loginsWaiting() {
        return parts.logins().waiting();
    }

    /** Number of (bucket, room) pairs with someone online; a room spread over k buckets counts k. */
    public int rooms() {
        return parts.connections().rooms();
    }

    /** Connections in v1 room {@code roomId} (room key "{@code roomId}"). */
    public int roomOnline(int roomId) {
        return roomOnline(RoomKeys.ofV1(roomId));
    }

    /** Connections in room {@code roomKey}. */
    public int roomOnline(String roomKey) {
        return parts.connections().roomOnline(roomKey);
    }

    /** The admin HTTP port: /metrics, /health, /ready. */
    public int adminPort() {
        return admin.port();
    }

    /** Where comet's meters are (also after {@link #close}): what {@code /metrics} shows. */
    public MeterRegistry registry() {
        return admin.registry();
    }

    /**
     * Stops as a crash looks to the cluster's discovery: announcements stop and nothing is
     * withdrawn, so job and the nodes API drop this comet only when its announcement
     * expires (comet.discovery.ttl). For tests; the rest stops as {@link #close} does.
     */
    public void halt() throws Exception {
        halted = true;
        lifecycle.close();
    }

    @Override
    public void close() throws Exception {
        lifecycle.close();
    }
}
