package io.goim.comet;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Who an authenticated connection is: its subKey, user and room. Stored on the Netty
 * channel; set once when auth succeeds.
 */
public record ClientSession(String key, long userId, int roomId) {
    static final AttributeKey<ClientSession> ATTR = AttributeKey.valueOf("goim.session");

    /** The session of {@code ch}, or null before auth. */
    static ClientSession of(Channel ch) {
        return ch.attr(ATTR).get();
    }
}
