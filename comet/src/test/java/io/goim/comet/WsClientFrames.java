package io.goim.comet;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/** Test support: reads server bytes the way a WebSocket client does, with Netty's own frame decoder. */
public final class WsClientFrames {
    private WsClientFrames() {
    }

    /** The one frame in {@code raw} (released); fails unless it is exactly one whole frame. */
    public static WebSocketFrame decode(ByteBuf raw) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(false, false, 1 << 24));
        client.writeInbound(raw);
        WebSocketFrame frame = client.readInbound();
        if (frame == null || client.readInbound() != null) {
            client.finishAndReleaseAll();
            throw new AssertionError("not exactly one whole frame");
        }
        client.finishAndReleaseAll();
        return frame;
    }
}
