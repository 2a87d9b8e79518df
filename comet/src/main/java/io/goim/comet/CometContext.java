package io.goim.comet;

import io.goim.libs.log.RateLimitedLog;
import io.goim.protocol.Packet;
import io.goim.protocol.ProtocolException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every connection handler of one comet shares: configuration, the logic client,
 * the buckets and outboxes, the whitelist and the meters, plus the connection life-cycle steps
 * (register, unregister, reply, protocol error) so each is written once.
 *
 * <p>Thread-safe.
 */
final class CometContext implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometContext.class);

    private final CometConfig config;
    private final LogicClient logic;
    private final LoginWindow logins;
    private final CometMeters meters;
    private final Whitelist whitelist;
    private final Buckets buckets;
    private final Outboxes outboxes;
    private final ScheduledExecutorService retries;
    private final DisconnectNotifier disconnects;
    private final UpstreamProducer upstream;
    private final RoomReporter roomReporter;
    private final RoomOps roomOps;
    private final RoomOnline roomOnline;
    private final PacedBroadcasts pacedBroadcasts;
    private final Map<EventExecutor, HeartbeatDeadlines> heartbeats = new ConcurrentHashMap<>();
    private final RateLimitedLog protocolLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    /** Echo mode (no upstream producer). */
    CometContext(CometConfig config, LogicClient logic, CometMeters meters) {
        this(config, logic, null, meters);
    }

    /**
     * The parts built here count in {@code meters}.
     * {@code upstream}: where client messages go in kafka mode; null in echo mode.
     */
    CometContext(CometConfig config, LogicClient logic, UpstreamProducer upstream, CometMeters meters) {
        this.config = config;
        this.upstream = upstream;
        this.meters = meters;
        this.logic = logic;
        this.whitelist = new Whitelist(config.whitelist());
        this.buckets = new Buckets(config.buckets());
        this.outboxes = new Outboxes(buckets, meters.push, whitelist, config.pushMaxPending(), config.pushRoomWindow(),
                config.maxBacklog());
        this.retries = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("comet-disconnect-retry", true));
        this.disconnects = new DisconnectNotifier(logic, retries, config.disconnectRetries(), config.disconnectBackoff(),
                meters.disconnects, whitelist);
        this.roomReporter = new RoomReporter(buckets, logic, retries, config.renewRetry(), meters.roomReports);
        this.roomOps = new RoomOps(this, meters.roomOpsRefused, config.maxRoomsPerConnection());
        this.pacedBroadcasts = new PacedBroadcasts(buckets, outboxes, config.pushMaxPaced(), meters.registry());
        this.roomOnline = new RoomOnline(buckets, logic, config.onlineInterval(), config.logicTimeout(), meters.registry());
        // A login fails after logic-timeout, but its call lives on until login-timeout more,
        // so that logic's late answer names the session it stored and comet undoes it.
        Duration connectDeadline = config.logicTimeout().plus(config.loginTimeout());
        this.logins = new LoginWindow(config.loginWindow(), config.logicTimeout(),
                token -> logic.connect(token, connectDeadline),
                reply -> {
                    meters.loginAnswersUndone.increment();
                    disconnectLater(reply.getSession().isEmpty() ? reply.getKey() : reply.getSession(),
                            reply.getRoomKey());
                });
    }

    CometConfig config() {
        return config;
    }

    /** What the connection handlers count with. */
    CometMeters meters() {
        return meters;
    }

    LogicClient logic() {
        return logic;
    }

    /** Connect calls to logic, through the login window. */
    LoginWindow logins() {
        return logins;
    }

    /** The heartbeat deadlines of {@code loop}'s sessions; call on that loop. */
    HeartbeatDeadlines heartbeatDeadlines(EventExecutor loop) {
        HeartbeatDeadlines d = heartbeats.get(loop);
        return d != null ? d : heartbeats.computeIfAbsent(loop,
                l -> new HeartbeatDeadlines(l, config.heartbeatTimeout().toNanos()));
    }

    /** Where client messages (op 4) go in kafka mode; null in echo mode (goim's echo). */
    UpstreamProducer upstream() {
        return upstream;
    }

    Buckets buckets() {
        return buckets;
    }

    /** Where pushes wait for the event loops. */
    Outboxes outboxes() {
        return outboxes;
    }

    /** Room operations of the sessions (ops 12, 18, 20). */
    RoomOps roomOps() {
        return roomOps;
    }

    /** The cluster-wide room counts goim v2 heartbeat replies carry; {@link RoomOnline#start} starts its refreshes. */
    RoomOnline roomOnline() {
        return roomOnline;
    }

    /** Broadcasts with a speed, paced. */
    PacedBroadcasts pacedBroadcasts() {
        return pacedBroadcasts;
    }

    /** Reports room changes to logic. */
    RoomReporter roomReporter() {
        return roomReporter;
    }

    Whitelist whitelist() {
        return whitelist;
    }

    /**
     * Makes an authenticated connection reachable by its subKey and in room {@code roomKey}
     * (none when empty); closes a stale one under the same key.
     */
    void register(Connection c, String roomKey) {
        outboxes.of(c.channel.eventLoop()); // room and broadcast messages go to every loop that has an outbox
        Connection old = buckets.put(c, roomKey);
        whitelist.log(c.key, "registered {} in room \"{}\"", c, roomKey);
        if (old != null) {
            whitelist.log(c.key, "it replaced {}", old);
            old.channel.close();
        }
    }

    /**
     * Forgets a closed connection and tells logic, unless a newer connection took its key and
     * with it its session (a v1 reconnect). A connection whose client chose its key has a
     * session of its own, which logic is always told about.
     */
    void unregister(Connection c) {
        String rooms = buckets.remove(c);
        whitelist.log(c.key, "closed {}{}", c, rooms != null ? "" : " (already replaced by a newer connection)");
        if (rooms != null) {
            disconnectLater(c.session(), rooms);
        } else if (!c.clientKey().isEmpty()) {
            // Replaced under its client key, but its session is its own: logic forgets it (the stores remember its rooms).
            disconnectLater(c.session(), "");
        }
    }

    /** Tells logic a connection in the room set {@code rooms} is gone, without waiting; retried on transient errors. */
    void disconnectLater(String key, String rooms) {
        disconnects.notify(key, rooms);
    }

    /** Waits until every disconnect told to logic so far was acknowledged or given up, at most {@code timeout}. */
    boolean awaitDisconnects(Duration timeout) throws InterruptedException {
        return disconnects.awaitSettled(timeout);
    }

    /** Writes and flushes a reply packet to the client, counting it. Event loop only. */
    void reply(ChannelHandlerContext ctx, Packet p) {
        meters.packetsWritten.increment();
        ctx.writeAndFlush(p, ctx.voidPromise());
    }

    /** Closes a connection that broke the protocol or failed, counting and logging (rate-limited). */
    void protocolError(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (!(c instanceof ProtocolException) && (c instanceof CorruptedFrameException || c instanceof TooLongFrameException)) {
            // A WebSocket frame Netty could not decode (bad masking, oversized, bad UTF-8, ...).
            c = new ProtocolException(ProtocolException.Kind.BAD_FRAME, c.getMessage());
        }
        Connection conn = Connection.of(ctx.channel());
        if (c instanceof ProtocolException pe) {
            meters.protocolError(pe.kind());
            protocolLog.warn("closing {}: {} ({})", ctx.channel().remoteAddress(), pe.getMessage(), pe.kind().label());
            if (conn != null) {
                whitelist.log(conn.key, "protocol error: {} ({})", pe.getMessage(), pe.kind().label());
            }
        } else if (!(c instanceof IOException)) {
            protocolLog.warn("closing {} after an error: {}", ctx.channel().remoteAddress(), c.toString());
        }
        ctx.close();
    }

    /** Stops the heartbeat timers, the room count refreshes, the paced broadcasts and the retry scheduler. */
    @Override
    public void close() throws InterruptedException {
        heartbeats.values().forEach(HeartbeatDeadlines::close);
        roomOnline.close();
        pacedBroadcasts.close();
        retries.shutdown();
        retries.awaitTermination(1, TimeUnit.SECONDS);
    }
}
