package io.goim.comet;

import io.goim.comet.cluster.DisconnectNotifier;
import io.goim.comet.cluster.LogicClient;
import io.goim.comet.cluster.RoomOnline;
import io.goim.comet.cluster.RoomReporter;
import io.goim.comet.cluster.UpstreamProducer;
import io.goim.comet.push.Outboxes;
import io.goim.comet.push.PacedBroadcasts;
import io.goim.comet.session.AuthHandler;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.comet.session.Heartbeats;
import io.goim.comet.session.LoginWindow;
import io.goim.comet.session.RoomOps;
import io.goim.comet.session.SessionHandler;
import io.goim.comet.session.Sessions;
import io.goim.comet.session.UpstreamSession;
import io.goim.comet.transport.BackpressureHandler;
import io.goim.comet.transport.ProtocolErrors;
import io.goim.comet.transport.Replies;
import io.goim.comet.transport.TcpChannelInitializer;
import io.goim.comet.transport.WebSocketChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The parts of one comet that serve its clients, built and wired here once: the
 * connection registry, the handlers' shared parts, the outboxes and pacer of the push
 * side, and the calls to logic they make. {@link CometServer} builds one and binds its
 * listeners and push service to it; tests build one to drive a client pipeline without
 * sockets. No part is handed this object: each gets the few parts it uses.
 *
 * <p>Thread-safe.
 */
public final class CometParts implements AutoCloseable {
    private final CometMeters meters;
    private final LogicClient logic;
    private final Whitelist whitelist;
    private final ConnectionRegistry connections;
    private final Outboxes outboxes;
    private final ScheduledExecutorService retries;
    private final DisconnectNotifier disconnects;
    private final Replies replies;
    private final Heartbeats heartbeats;
    private final RoomOnline roomOnline;
    private final PacedBroadcasts pacedBroadcasts;
    private final LoginWindow logins;
    private final AuthHandler.Shared auth;
    private final BackpressureHandler backpressure;
    private final int maxBody;
    private final Duration handshakeTimeout;

    /** Echo mode (no upstream producer). */
    public CometParts(CometConfig config, LogicClient logic, CometMeters meters) {
        this(config, logic, null, meters);
    }

    /**
     * The parts built here count in {@code meters}.
     * {@code upstream}: where client messages go in kafka mode; null in echo mode.
     */
    public CometParts(CometConfig config, LogicClient logic, UpstreamProducer upstream, CometMeters meters) {
        this.meters = meters;
        this.logic = logic;
        this.maxBody = config.maxBody();
        this.handshakeTimeout = config.handshakeTimeout();
        this.whitelist = new Whitelist(config.whitelist());
        this.connections = new ConnectionRegistry(config.buckets());
        this.outboxes = new Outboxes(connections, meters.push, whitelist, config.pushMaxPending(), config.pushRoomWindow(),
                config.pushRest(), config.maxBacklog());
        this.retries = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("comet-disconnect-retry", true));
        this.roomOnline = new RoomOnline(connections, logic, config.onlineInterval(), config.onlineRecheck(),
                config.logicTimeout(), meters.onlineRenewals);
        this.disconnects = new DisconnectNotifier(logic, retries, config.disconnectRetries(), config.disconnectBackoff(),
                meters.disconnects, meters.loginUndos, whitelist, roomOnline::soon);
        RoomReporter roomReporter = new RoomReporter(connections, logic, retries, config.renewRetry(), meters.roomReports);
        this.replies = new Replies(meters.packetsWritten);
        ProtocolErrors errors = new ProtocolErrors(meters.protocolErrors, whitelist);
        this.backpressure = new BackpressureHandler(meters.bytesWritten, config.slowConsumerTimeout(), errors);
        this.heartbeats = new Heartbeats(config.heartbeatTimeout());
        RoomOps roomOps = new RoomOps(connections, roomReporter, replies, whitelist, meters.roomOpsRefused,
                config.maxRoomsPerConnection());
        this.pacedBroadcasts = new PacedBroadcasts(connections, outboxes, config.pushMaxPaced(), meters.paced);
        Sessions sessions = new Sessions(connections, whitelist, disconnects, outboxes::of);
        // A login fails after logic-timeout, but its call lives on until login-timeout more,
        // so that logic's late answer names the session it stored and comet undoes it.
        Duration connectDeadline = config.logicTimeout().plus(config.loginTimeout());
        // A call that got no answer at all names no session; its login id does (logic undoes by it).
        this.logins = new LoginWindow(config.loginWindow(), config.logicTimeout(),
                (token, loginId) -> logic.connect(token, connectDeadline, loginId),
                reply -> {
                    meters.auth.answersUndone().increment();
                    roomOnline.soon();
                    sessions.disconnectLater(reply.getSession().isEmpty() ? reply.getKey() : reply.getSession(),
                            reply.getRoomKey());
                },
                disconnects::undoLogin);
        UpstreamSession.Shared toKafka = upstream == null ? null : new UpstreamSession.Shared(upstream, config.upstream(),
                config.serverId(), connections, whitelist, replies);
        SessionHandler.Shared session = new SessionHandler.Shared(heartbeats, meters.sessions, meters.opsReceived,
                whitelist, replies, errors, roomOps, roomOnline, toKafka, sessions);
        this.auth = new AuthHandler.Shared(config.handshakeTimeout(), config.loginTimeout(),
                config.limits().heldBeforeAuthReply(), logins, sessions, replies, errors, meters.auth,
                meters.opsReceived, whitelist, session);
    }

    /** The pipeline of a client TCP connection; {@code tls}: the server TLS context, or null for plain TCP. */
    public TcpChannelInitializer tcp(SslContext tls) {
        return new TcpChannelInitializer(maxBody, backpressure, tls, () -> new AuthHandler(auth));
    }

    /** The pipeline of a client WebSocket connection; {@code tls}: the server TLS context, or null for plain ws. */
    public WebSocketChannelInitializer websocket(SslContext tls) {
        return new WebSocketChannelInitializer(maxBody, handshakeTimeout, meters.pings, backpressure, tls,
                () -> new AuthHandler(auth));
    }

    /** What every connection's auth stage shares (and, through it, the session stage). */
    public AuthHandler.Shared auth() {
        return auth;
    }

    public CometMeters meters() {
        return meters;
    }

    public LogicClient logic() {
        return logic;
    }

    /** This comet's authenticated connections. */
    public ConnectionRegistry connections() {
        return connections;
    }

    /** Connect calls to logic, through the login window. */
    public LoginWindow logins() {
        return logins;
    }

    /** Where pushes wait for the event loops. */
    public Outboxes outboxes() {
        return outboxes;
    }

    /** Broadcasts with a speed, paced. */
    public PacedBroadcasts pacedBroadcasts() {
        return pacedBroadcasts;
    }

    /** The cluster-wide room counts goim v2 heartbeat replies carry; {@link RoomOnline#start} starts its refreshes. */
    public RoomOnline roomOnline() {
        return roomOnline;
    }

    /** Disconnects told to logic, retried on transient errors. */
    public DisconnectNotifier disconnects() {
        return disconnects;
    }

    /** Writes and counts the packets comet itself sends clients. */
    public Replies replies() {
        return replies;
    }

    public Whitelist whitelist() {
        return whitelist;
    }

    /** Stops the heartbeat timers, the room count refreshes, the paced broadcasts and the retry scheduler. */
    @Override
    public void close() throws InterruptedException {
        heartbeats.close();
        roomOnline.close();
        pacedBroadcasts.close();
        retries.shutdown();
        retries.awaitTermination(1, TimeUnit.SECONDS);
    }
}
