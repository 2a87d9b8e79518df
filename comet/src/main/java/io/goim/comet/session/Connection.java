package io.goim.comet.session;

import io.goim.comet.push.LoopOutbox;
import io.goim.comet.transport.Wire;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * One authenticated client connection: who it is (subKey, user), its Netty channel
 * and wire format, and its places in rooms.
 *
 * <p>The identity fields are immutable. The connection is itself the node of its first
 * room's list (the {@link Member} links, guarded by that room's lock and changed only
 * under the bucket's lock too); each further room is a {@link Membership} in
 * {@link #extra}. A room's key is the room's ({@link Room#key}): a connection keeps no
 * copy of it, and one in a single room (every v1 connection) costs no more than before
 * rooms were keys: the room id field it lost pays for {@link #extra}.
 */
public final class Connection extends Member {
    public final String key;
    final long userId;
    public final Channel channel;
    public final Wire wire;
    /**
     * Where pushes enter the pipeline: the codec's context ({@link Wire#CODEC}), or null on a
     * channel without one (tests' bare channels: pushes enter at the tail then). A push is
     * already encoded, so the codec and the session handlers above it have nothing to do
     * with it; entering below them saves three handler hops per write and per flush, which
     * on a room pass to thousands of connections are cache misses that cost more than the
     * write itself. Written pushes still pass TLS, WebSocket framing and backpressure.
     */
    private final ChannelHandlerContext pushes;

    /** The connection's rooms beyond the first, or null; guarded by its bucket's lock. */
    Membership extra;
    /** Written to in the current {@link LoopOutbox} pass and not yet flushed; confined to the channel's loop. */
    public boolean flushPending;
    /**
     * A goim v2 login's state (accepted operations, session); null for v1. A connection
     * is 64 bytes with compressed oops.
     */
    public final V2State v2;

    public Connection(String key, long userId, Channel channel, Wire wire) {
        this(key, userId, channel, wire, null);
    }

    public Connection(String key, long userId, Channel channel, Wire wire, V2State v2) {
        this.key = key;
        this.userId = userId;
        this.channel = channel;
        this.wire = wire;
        this.v2 = v2;
        this.pushes = channel.pipeline().context(Wire.CODEC);
    }

    /** Queues an encoded push ({@code PushMessage.frame}) without flushing; confined to the channel's loop. */
    public void writePush(Object frame) {
        if (pushes != null) {
            pushes.write(frame, pushes.voidPromise());
        } else {
            channel.write(frame, channel.voidPromise());
        }
    }

    /** Flushes what {@link #writePush} queued; confined to the channel's loop. */
    public void flushPushes() {
        if (pushes != null) {
            pushes.flush();
        } else {
            channel.flush();
        }
    }

    /** The subKey that names this connection's session in the store (renew, disconnect). */
    public String session() {
        return v2 == null || v2.session == null ? key : v2.session;
    }

    /** The key its client chose, or "" when its key is its subKey. */
    public String clientKey() {
        return v2 == null || v2.session == null ? "" : key;
    }

    @Override
    Connection connection() {
        return this;
    }

    /**
     * The connection of {@code ch}, or null before auth. Held by the channel's session
     * handler rather than a channel attribute (48 bytes per connection less); a lookup
     * walks the few handlers of the pipeline, so hot paths keep the Connection instead.
     */
    public static Connection of(Channel ch) {
        SessionHandler s = ch.pipeline().get(SessionHandler.class);
        return s == null ? null : s.connection();
    }

    @Override
    public String toString() {
        return key + "@" + channel.remoteAddress() + "/" + wire;
    }
}
