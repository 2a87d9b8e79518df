package io.goim.comet.session;

import io.goim.comet.CometMeters;
import io.goim.comet.Whitelist;
import io.goim.comet.cluster.RoomOnline;
import io.goim.comet.transport.ProtocolErrors;
import io.goim.comet.transport.Replies;
import io.goim.comet.transport.Wire;
import io.goim.libs.log.RateLimitedLog;
import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.goim.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * An authenticated connection: answers heartbeats (op 2 → 3), client messages (op 4 → 5:
 * echoing the body, or in kafka mode through {@link UpstreamSession}), room operations
 * (ops 12, 18, 20: {@link RoomOps}) and tests (op 254 → 255), closes on any other op, and closes a
 * connection that sent no heartbeat within the heartbeat timeout. When the connection
 * closes it is unregistered and logic is told.
 *
 * <p>Each heartbeat restarts the timeout (goim's behaviour: only op 2 counts as a sign of
 * life). The timeouts of one event loop's sessions share one timer
 * ({@link HeartbeatDeadlines}); this handler carries its place in that loop's list, which
 * costs a connection 16 bytes instead of a scheduled task per connection.
 * Confined to the channel's event loop; one instance per channel.
 */
public final class SessionHandler extends SimpleChannelInboundHandler<Packet> {
    private static final RateLimitedLog SUBSCRIBE_LOG =
            new RateLimitedLog(LoggerFactory.getLogger(SessionHandler.class), 10, TimeUnit.SECONDS);
    private static final byte[] TEST_REPLY = "{\"test\":\"come on\"}".getBytes(StandardCharsets.UTF_8);

    private final Shared shared;
    private final Connection connection;
    private ChannelHandlerContext ctx;
    private HeartbeatDeadlines deadlines;
    /** Kafka mode: this connection's client messages; made at its first op 4. */
    private UpstreamSession upstream;
    /** {@link HeartbeatDeadlines}' list links and this session's deadline on its loop's clock. */
    SessionHandler prev;
    SessionHandler next;
    long deadline;
    boolean armed;

    /**
     * What every session handler shares; one instance per comet.
     *
     * @param roomOnline the room counts goim v2 heartbeat replies carry
     * @param upstream where client messages go in kafka mode; null in echo mode (goim's echo)
     */
    public record Shared(Heartbeats heartbeats, CometMeters.Sessions meters, CometMeters.OpsReceived ops,
            Whitelist whitelist, Replies replies, ProtocolErrors errors, RoomOps roomOps, RoomOnline roomOnline,
            UpstreamSession.Shared upstream, Sessions sessions) {
    }

    /** @param connection the registered connection of this channel */
    public SessionHandler(Shared shared, Connection connection) {
        this.shared = shared;
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.deadlines = shared.heartbeats().of(ctx.executor());
        deadlines.arm(this);
    }

    /** Called by {@link HeartbeatDeadlines} when the timeout passed without a heartbeat. */
    void heartbeatMissed() {
        shared.meters().heartbeatTimeouts().increment();
        shared.whitelist().log(connection.key, "no heartbeat for {}, closing", shared.heartbeats().timeout());
        ctx.close();
    }

    /**
     * goim v2: the room's cluster-wide online count, 4 bytes big-endian (a JSON WebSocket
     * gets it as a JSON number, which its codec embeds as is); v1: empty, as always.
     */
    private ByteBuf heartbeatBody(ChannelHandlerContext ctx) {
        if (connection.v2 == null) {
            return Unpooled.EMPTY_BUFFER;
        }
        int online = shared.roomOnline().of(connection);
        if (connection.wire == Wire.WS_TEXT) {
            return ByteBufUtil.writeAscii(ctx.alloc(), Integer.toString(online));
        }
        return ctx.alloc().buffer(4).writeInt(online);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet p) {
        shared.ops().count(p.op());
        switch (p.op()) {
            case Op.HEARTBEAT -> {
                deadlines.arm(this);
                shared.whitelist().log(connection.key, "heartbeat seq {}", p.seq());
                shared.replies().write(ctx, new Packet(p.ver(), Op.HEARTBEAT_REPLY, p.seq(), heartbeatBody(ctx)));
            }
            case Op.SEND_MSG -> {
                UpstreamSession.Shared toKafka = shared.upstream();
                if (toKafka == null) {
                    shared.whitelist().log(connection.key, "message seq {}", p.seq());
                    shared.replies().write(ctx, new Packet(p.ver(), Op.SEND_MSG_REPLY, p.seq(), p.body().retain()));
                } else {
                    if (upstream == null) {
                        upstream = new UpstreamSession(toKafka, connection);
                    }
                    upstream.send(ctx, p);
                }
            }
            case Op.CHANGE_ROOM -> shared.roomOps().changeRoom(ctx, connection, p);
            case Op.JOIN_ROOM -> shared.roomOps().join(ctx, connection, p);
            case Op.LEAVE_ROOM -> shared.roomOps().leave(ctx, connection, p);
            case Op.TEST -> shared.replies().write(ctx, new Packet(p.ver(), Op.TEST_REPLY, p.seq(),
                    Unpooled.wrappedBuffer(TEST_REPLY)));
            case Op.SUB, Op.UNSUB -> {
                if (connection.v2 == null) {
                    // v1 accepts every operation and knows no subscriptions: as before, an op it does not speak.
                    shared.errors().close(ctx, new ProtocolException(ProtocolException.Kind.UNKNOWN_OP,
                            "op " + p.op() + " not accepted from a v1 client"));
                    return;
                }
                subscribe(ctx, p);
            }
            default -> shared.errors().close(ctx, new ProtocolException(ProtocolException.Kind.UNKNOWN_OP,
                    "op " + p.op() + " not accepted from a client"));
        }
    }

    /**
     * goim v2's ops 14 and 16: the body lists operations ("1000,1001"); the reply (15, 17)
     * carries the same body, as goim answers. A body that is not such a list changes nothing
     * and is answered all the same (goim ignores it too). A subscription that would take the
     * connection past {@link V2State#MAX_ACCEPTS} operations changes nothing either, and is
     * answered op 15 with an empty body, so that a client can tell (goim's client ignores the
     * body); it is counted and logged.
     */
    private void subscribe(ChannelHandlerContext ctx, Packet p) {
        int[] ops = OpList.parse(p.body().toString(StandardCharsets.US_ASCII));
        boolean refused = false;
        if (ops != null) {
            if (p.op() == Op.SUB) {
                refused = !connection.v2.watch(ops);
            } else {
                connection.v2.unwatch(ops);
            }
        }
        if (refused) {
            shared.meters().subscriptionsRefused().increment();
            SUBSCRIBE_LOG.warn("{}: subscription refused, it would accept more than {} operations",
                    connection.key, V2State.MAX_ACCEPTS);
            shared.replies().write(ctx, new Packet(p.ver(), Op.SUB_REPLY, p.seq(), Unpooled.EMPTY_BUFFER));
            return;
        }
        shared.whitelist().log(connection.key, "op {}: accepts now {}", p.op(), connection.v2);
        shared.replies().write(ctx, new Packet(p.ver(), p.op() == Op.SUB ? Op.SUB_REPLY : Op.UNSUB_REPLY, p.seq(), p.body().retain()));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null) {
            upstream.updateReads(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadlines.disarm(this);
        shared.sessions().unregister(connection);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        deadlines.disarm(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        shared.errors().close(ctx, cause);
    }
}
