package io.goim.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.goim.protocol.Packet;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WsJsonCodecTest {
    private static String encode(int op, String body) {
        EmbeddedChannel ch = new EmbeddedChannel(new WsJsonCodec());
        ch.writeOutbound(new Packet(1, op, 1, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
        TextWebSocketFrame f = ch.readOutbound();
        String text = f.text();
        f.release();
        ch.finishAndReleaseAll();
        return text;
    }

    @Test
    void jsonBodiesAreEmbeddedRawAndOthersAsStrings() {
        assertEquals("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":1000}", encode(7, "1000"));
        assertEquals("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":{\"data\":{}}}", encode(7, "{\"data\":{}}"));
        assertEquals("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":\"abc\"}", encode(7, "abc"));
        assertEquals("{\"ver\":1,\"op\":2,\"seq\":1,\"body\":{}}", encode(2, ""));
    }

    @Test
    void aServerArrayFrameBecomesOnePacketPerElement() {
        EmbeddedChannel ch = new EmbeddedChannel(new WsJsonCodec());
        ch.writeInbound(new TextWebSocketFrame(
                "[{\"ver\":1,\"op\":8,\"seq\":1,\"body\":{}},{\"ver\":0,\"op\":5,\"seq\":0,\"body\":{\"test\":1}}]"));
        Packet a = ch.readInbound();
        Packet b = ch.readInbound();
        assertNull(ch.readInbound());
        assertEquals(8, a.op());
        assertEquals(5, b.op());
        assertEquals("{\"test\":1}", b.body().toString(StandardCharsets.UTF_8));
        a.release();
        b.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void aFrameThatIsNotJsonFailsTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new WsJsonCodec());
        assertThrows(DecoderException.class, () -> ch.writeInbound(new TextWebSocketFrame("[{oops")));
        ch.finishAndReleaseAll();
    }
}
