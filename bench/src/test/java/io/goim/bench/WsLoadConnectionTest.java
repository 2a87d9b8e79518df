package io.goim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The WebSocket load connection's frames, after the (here simulated) handshake event. */
class WsLoadConnectionTest {
    private static final long HEARTBEAT = TimeUnit.SECONDS.toNanos(60);

    private final LoadStats stats = new LoadStats();
    private final AtomicInteger authenticated = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    private EmbeddedChannel connect() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new WsLoadConnection(stats, 42, HEARTBEAT, TimeUnit.SECONDS.toNanos(30),
                authenticated::incrementAndGet, failed::incrementAndGet, new LoadClient.Lifecycle()));
        ch.pipeline().fireChannelActive();
        return ch;
    }

    private static String text(Object frame) {
        TextWebSocketFrame f = (TextWebSocketFrame) frame;
        try {
            return f.text();
        } finally {
            f.release();
        }
    }

    @Test
    void authenticatesAfterTheHandshakeAndCountsPushesInArrayFrames() {
        EmbeddedChannel ch = connect();
        assertNull(ch.readOutbound(), "nothing before the handshake completes");
        ch.pipeline().fireUserEventTriggered(WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
        assertEquals("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":42}", text(ch.readOutbound()));

        ch.writeInbound(new TextWebSocketFrame(
                "[{\"ver\":1,\"op\":8,\"seq\":1,\"body\":{}}, {\"ver\":0,\"op\":5,\"seq\":0,\"body\":{\"test\":1}}]"));
        assertEquals(1, stats.authed.sum());
        assertEquals(1, authenticated.get());
        assertEquals(1, stats.pushes.sum());

        ch.writeInbound(new TextWebSocketFrame("[{\"ver\":0,\"op\":5,\"seq\":0,\"body\":1},"
                + "{\"ver\":1,\"op\": 3,\"seq\":2,\"body\":{}},{\"ver\":0,\"op\":5,\"seq\":0,\"body\":[2]}]"));
        assertEquals(3, stats.pushes.sum());
        assertEquals(1, stats.heartbeatReplies.sum());

        ch.advanceTimeBy(HEARTBEAT, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertEquals("{\"ver\":1,\"op\":2,\"seq\":2,\"body\":{}}", text(ch.readOutbound()));
        assertFalse(ch.finishAndReleaseAll());
        assertEquals(0, failed.get());
    }

    @Test
    void pushesBeforeTheAuthReplyAreNotCountedAndOtherOpsAreIgnored() {
        JsonOps ops = JsonOps.count(Unpooled.copiedBuffer(
                "[{\"op\":55},{\"op\":5},{\"op\":8},{\"op\":\"5\"},{\"op\":3}]", StandardCharsets.US_ASCII));
        assertEquals(new JsonOps(1, 1, 1), ops);

        EmbeddedChannel ch = connect();
        ch.writeInbound(new TextWebSocketFrame("[{\"ver\":0,\"op\":5,\"seq\":0,\"body\":{}}]"));
        assertEquals(0, stats.pushes.sum());
        ch.close();
        assertEquals(1, stats.authFailed.sum());
        assertEquals(1, failed.get());
    }
}
