package io.goim.comet.session;

import io.goim.comet.Whitelist;
import io.goim.comet.transport.Replies;
import io.goim.comet.cluster.RoomReporter;
import io.goim.comet.transport.Wire;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goim.libs.log.RateLimitedLog;
import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.goim.protocol.RoomKeys;
import io.goim.libs.admin.CounterFamily;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * A session's room operations (docs/protocol.md, "Rooms"):
 *
 * <ul>
 *   <li>op 12 → 13, goim v2's change room: leave the first room and join the body's room
 *       (empty body: leave). The reply echoes the body as goim's does; a malformed room
 *       key is refused with an empty body and the connection stays where it was.
 *   <li>op 18 → 19, join one more room, up to {@code comet.max-rooms-per-connection};
 *       op 20 → 21, leave one. Replies: {@code {"ret":1,"room":"…","rooms":n}} (n: rooms
 *       the connection is in now) or {@code {"ret":65534,"room":"…","msg":"…"}} for a
 *       refusal (a malformed key, one room too many).
 * </ul>
 *
 * A change goes to logic through {@link RoomReporter}, so the routers' room counts follow.
 * Refusals are counted in {@code goim_comet_room_ops_refused_total{op,reason}} and logged
 * (rate-limited); none closes the connection.
 *
 * <p>Stateless apart from its meters: one instance serves every connection; called on
 * the connection's event loop.
 */
public final class RoomOps {
    private static final RateLimitedLog LOG = new RateLimitedLog(LoggerFactory.getLogger(RoomOps.class), 10,
            TimeUnit.SECONDS);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** HTTP API's "bad parameter" code, as client-message replies use it. */
    static final int RET_BAD_REQUEST = 65534;

    private final ConnectionRegistry registry;
    private final RoomReporter reporter;
    private final Replies replies;
    private final Whitelist whitelist;
    private final CounterFamily refusals;
    private final int maxRooms;

    /**
     * @param reporter tells logic of each connection's changed rooms
     * @param refusals counts the refused operations, by op and reason
     * @param maxRooms rooms one connection may be in at most
     */
    public RoomOps(ConnectionRegistry registry, RoomReporter reporter, Replies replies, Whitelist whitelist,
            CounterFamily refusals, int maxRooms) {
        this.registry = registry;
        this.reporter = reporter;
        this.replies = replies;
        this.whitelist = whitelist;
        this.refusals = refusals;
        this.maxRooms = maxRooms;
    }

    /** Op 12: goim v2's change room. */
    void changeRoom(ChannelHandlerContext ctx, Connection c, Packet p) {
        String key = roomKey(c, p.body());
        String problem = key.isEmpty() ? null : RoomKeys.invalid(key);
        if (problem != null) {
            refused(p.op(), "bad_room_key", c, key, problem);
            replies.write(ctx, new Packet(p.ver(), Op.CHANGE_ROOM_REPLY, p.seq(), Unpooled.EMPTY_BUFFER));
            return;
        }
        if (registry.changeRoom(c, key)) {
            whitelist.log(c.key, "changed room to \"{}\"", key);
            reporter.changed(c);
        }
        replies.write(ctx, new Packet(p.ver(), Op.CHANGE_ROOM_REPLY, p.seq(), p.body().retain()));
    }

    /** Op 18: join one more room. */
    void join(ChannelHandlerContext ctx, Connection c, Packet p) {
        String key = validRoomKey(ctx, c, p, Op.JOIN_ROOM_REPLY);
        if (key == null) {
            return;
        }
        switch (registry.join(c, key, maxRooms)) {
            case JOINED -> {
                whitelist.log(c.key, "joined room \"{}\"", key);
                reporter.changed(c);
                ok(ctx, p, Op.JOIN_ROOM_REPLY, c, key);
            }
            case ALREADY_IN, GONE -> ok(ctx, p, Op.JOIN_ROOM_REPLY, c, key);
            case TOO_MANY -> refusal(ctx, p, Op.JOIN_ROOM_REPLY, c, key, "too_many_rooms",
                    "already in " + maxRooms + " rooms (comet.max-rooms-per-connection); leave one first");
        }
    }

    /** Op 20: leave one room. */
    void leave(ChannelHandlerContext ctx, Connection c, Packet p) {
        String key = validRoomKey(ctx, c, p, Op.LEAVE_ROOM_REPLY);
        if (key == null) {
            return;
        }
        if (registry.leave(c, key)) {
            whitelist.log(c.key, "left room \"{}\"", key);
            reporter.changed(c);
        }
        ok(ctx, p, Op.LEAVE_ROOM_REPLY, c, key); // not in it (any more): the client's wish holds
    }

    /** The room key of op 18 or 20, or null when it is malformed: then refused with {@code replyOp}. */
    private String validRoomKey(ChannelHandlerContext ctx, Connection c, Packet p, int replyOp) {
        String key = roomKey(c, p.body());
        String problem = RoomKeys.invalid(key);
        if (problem != null) {
            refusal(ctx, p, replyOp, c, key, "bad_room_key", problem);
            return null;
        }
        return key;
    }

    /**
     * The room key in a packet body: its UTF-8 text, or over WebSocket text frames (whose
     * body is the JSON text of the frame's {@code body}) the JSON string's value.
     */
    static String roomKey(Connection c, ByteBuf body) {
        String text = body.toString(StandardCharsets.UTF_8);
        if (c.wire == Wire.WS_TEXT && text.length() >= 2 && text.charAt(0) == '"') {
            try {
                return JSON.readValue(text, String.class);
            } catch (JsonProcessingException e) {
                return text; // not a JSON string after all: refused as a key if malformed
            }
        }
        return text;
    }

    private void ok(ChannelHandlerContext ctx, Packet p, int replyOp, Connection c, String key) {
        ObjectNode body = JSON.createObjectNode().put("ret", 1).put("room", key)
                .put("rooms", registry.roomCount(c));
        reply(ctx, p, replyOp, body);
    }

    private void refusal(ChannelHandlerContext ctx, Packet p, int replyOp, Connection c, String key, String reason,
            String msg) {
        refused(p.op(), reason, c, key, msg);
        reply(ctx, p, replyOp, JSON.createObjectNode().put("ret", RET_BAD_REQUEST).put("room", key).put("msg", msg));
    }

    private void reply(ChannelHandlerContext ctx, Packet p, int replyOp, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
        replies.write(ctx, new Packet(p.ver(), replyOp, p.seq(), Unpooled.wrappedBuffer(bytes)));
    }

    private void refused(int op, String reason, Connection c, String key, String msg) {
        refusals.of(Op.name(op), reason).increment(); // an op name and a fixed reason: bounded
        whitelist.log(c.key, "room operation refused: {}", msg);
        LOG.warn("{}: {} of room \"{}\" refused: {}", c, Op.name(op), key.length() > 64 ? key.substring(0, 64) + "…" : key,
                msg);
    }
}
