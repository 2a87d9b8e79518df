package io.goim.comet.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * How a connection wants its server packets framed: TCP, or for WebSocket what the first
 * data frame the client sent was (text or binary), kept in a channel attribute that
 * WebSocket's codec sets at that frame (auth is always after it).
 */
public enum Wire {
    /** goim's binary packets on a TCP stream. */
    TCP,
    /** WebSocket text frames, each a JSON array of protos. */
    WS_TEXT,
    /** WebSocket binary frames, each carrying goim binary packets (goim v2 clients). */
    WS_BINARY;

    static final AttributeKey<Wire> ATTR = AttributeKey.valueOf("goim.wire");
    /**
     * The pipeline name of the handler that turns packets into the wire's bytes or frames
     * (every listener has one); pushes, already encoded, are written from its context.
     */
    public static final String CODEC = "codec";

    /** The wire of {@code ch}; TCP when the pipeline did not say otherwise. */
    public static Wire of(Channel ch) {
        // hasAttr first: attr() would add an empty attribute to every TCP channel (24 bytes).
        Wire w = ch.hasAttr(ATTR) ? ch.attr(ATTR).get() : null;
        return w == null ? TCP : w;
    }
}
