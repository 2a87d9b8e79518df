package io.goim.comet;

import io.netty.channel.Channel;

/**
 * One authenticated client connection: who it is (subKey, user), its Netty channel
 * and wire format, and its links in its {@link Room}'s list.
 *
 * <p>The identity fields are immutable. The room links ({@link #room}, {@link #prev},
 * {@link #next}) are guarded by the lock of the room they point into; they change only
 * under the bucket's lock too. The room's key is the room's ({@link Room#key}): a
 * connection keeps no copy of it.
 */
final class Connection {
    final String key;
    final long userId;
    final Channel channel;
    final Wire wire;

    /** The room this connection is linked into, or null; guarded by that room's lock. */
    Room room;
    Connection prev;
    Connection next;
    /** Written to in the current {@link LoopOutbox} pass and not yet flushed; confined to the channel's loop. */
    boolean flushPending;

    Connection(String key, long userId, Channel channel, Wire wire) {
        this.key = key;
        this.userId = userId;
        this.channel = channel;
        this.wire = wire;
    }

    /**
     * The connection of {@code ch}, or null before auth. Held by the channel's session
     * handler rather than a channel attribute (48 bytes per connection less); a lookup
     * walks the few handlers of the pipeline, so hot paths keep the Connection instead.
     */
    static Connection of(Channel ch) {
        SessionHandler s = ch.pipeline().get(SessionHandler.class);
        return s == null ? null : s.connection();
    }

    @Override
    public String toString() {
        return key + "@" + channel.remoteAddress() + "/" + wire;
    }
}
