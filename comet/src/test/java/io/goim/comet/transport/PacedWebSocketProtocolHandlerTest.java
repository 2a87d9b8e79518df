package io.goim.comet.transport;

import io.goim.comet.CometMeters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pings answered under backpressure, one ping at a time on a channel whose writability the
 * test sets: exactly the interleavings a socket test can only hit by chance.
 */
class PacedWebSocketProtocolHandlerTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PacedWebSocketProtocolHandler.Meters meters = new CometMeters(registry).pings;
    private final EmbeddedChannel ch = new EmbeddedChannel();

    PacedWebSocketProtocolHandlerTest() {
        ch.pipeline().addLast("websocket", new PacedWebSocketProtocolHandler(
                WebSocketServerProtocolConfig.newBuilder().websocketPath("/sub").build(), meters));
        // The handshake handler Netty adds in front expects HTTP; these frames come after a handshake.
        for (Map.Entry<String, ChannelHandler> e : ch.pipeline().toMap().entrySet()) {
            if (!e.getKey().equals("websocket")) {
                ch.pipeline().remove(e.getKey());
            }
        }
    }

    @Test
    void aPingOnAWritableConnectionIsAnsweredAtOnce() {
        ch.writeInbound(ping("a"));
        assertPong("a");
        assertCounts(1, 0);
        assertNull(ch.readInbound(), "inbound");
        assertNull(ch.readOutbound(), "a second pong");
        ch.finishAndReleaseAll(); // closing writes a close frame (Netty's handler); nothing else may be left
    }

    @Test
    void pingsWhileNotWritableWaitAndOnlyTheLatestIsAnsweredWhenWritableAgain() {
        writable(false);
        ch.writeInbound(ping("a"));
        ch.writeInbound(ping("b"));
        assertNull(ch.readOutbound(), "a pong was written to a connection that is not writable");
        assertCounts(0, 1); // "a" was replaced by "b"

        writable(true);
        assertPong("b");
        assertCounts(1, 1);
        ch.finishAndReleaseAll(); // closing writes a close frame (Netty's handler); nothing else may be left
    }

    @Test
    void aPingStillHeldWhenTheConnectionClosesIsCountedUnansweredAndReleased() {
        writable(false);
        ch.writeInbound(ping("a"));
        assertCounts(0, 0);

        ch.pipeline().remove("websocket"); // as when the channel closes: the held payload is released (leak detector)
        assertCounts(0, 1);
        ch.finishAndReleaseAll();
    }

    private void writable(boolean writable) {
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        ch.runPendingTasks(); // the writability event is fired later on the loop
        assertEquals(writable, ch.isWritable());
    }

    private static PingWebSocketFrame ping(String payload) {
        return new PingWebSocketFrame(Unpooled.copiedBuffer(payload, StandardCharsets.US_ASCII));
    }

    private void assertPong(String payload) {
        Object out = ch.readOutbound();
        assertTrue(out instanceof PongWebSocketFrame, "expected a pong, got " + out);
        PongWebSocketFrame pong = (PongWebSocketFrame) out;
        try {
            assertEquals(payload, pong.content().toString(StandardCharsets.US_ASCII));
        } finally {
            pong.release();
        }
    }

    private void assertCounts(double answered, double unanswered) {
        assertEquals(answered, meters.answered().count(), "answered");
        assertEquals(unanswered, meters.unanswered().count(), "unanswered");
    }
}
