package io.goim.comet.transport;

import io.goim.comet.CometConfig;
import io.goim.comet.CometParts;
import io.goim.comet.CometCounts;
import io.goim.comet.TestComets;
import io.goim.comet.session.AuthHandler;
import io.goim.comet.session.Connection;
import io.goim.comet.session.SessionHandler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WebSocket frames into the same auth and session handlers as TCP, and replies back into frames. */
class WebSocketPacketCodecTest {
    private CometConfig config;
    private CometParts comet;

    @BeforeEach
    void setUp() {
        config = TestComets.config(Map.of());
        comet = TestComets.context(config);
    }

    @AfterEach
    void tearDown() throws Exception {
        TestComets.close(comet);
    }

    /** The WebSocket pipeline from the codec on, before auth. */
    private EmbeddedChannel newConnection() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast("codec", new WebSocketPacketCodec(config.maxBody()));
        ch.pipeline().addLast("auth", new AuthHandler(comet.auth()));
        return ch;
    }

    /** Past auth, as AuthHandler leaves it. */
    private EmbeddedChannel authenticated() {
        EmbeddedChannel ch = newConnection();
        ch.attr(Wire.ATTR).set(Wire.WS_TEXT); // as after a first text frame
        Connection c = new Connection("9_1", 9, ch, Wire.WS_TEXT);
        comet.connections().put(c, "1");
        ch.pipeline().replace("auth", "session", new SessionHandler(comet.auth().session(), c));
        return ch;
    }

    private static TextWebSocketFrame text(String json) {
        return new TextWebSocketFrame(json);
    }

    @Test
    void textHeartbeatIsAnsweredWithAJsonArrayFrame() {
        EmbeddedChannel ch = authenticated();
        ch.writeInbound(text("{\"ver\":1,\"op\":2,\"seq\":2,\"body\":{}}"));
        TextWebSocketFrame reply = ch.readOutbound();
        assertEquals("[{\"ver\":1,\"op\":3,\"seq\":2,\"body\":{}}]", reply.text());
        reply.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void textMessageIsEchoedWithItsJsonBody() {
        EmbeddedChannel ch = authenticated();
        ch.writeInbound(text("{\"ver\":1,\"op\":4,\"seq\":3,\"body\":{\"hi\":[1,2]}}"));
        TextWebSocketFrame reply = ch.readOutbound();
        assertEquals("[{\"ver\":1,\"op\":5,\"seq\":3,\"body\":{\"hi\":[1,2]}}]", reply.text());
        reply.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void firstDataFrameChoosesTheWire() {
        EmbeddedChannel binary = newConnection();
        binary.writeInbound(new BinaryWebSocketFrame(TestComets.packet(Op.AUTH, 1, "1000")));
        assertEquals(Wire.WS_BINARY, Wire.of(binary)); // auth now waits for logic
        binary.finishAndReleaseAll();

        EmbeddedChannel text = newConnection();
        text.writeInbound(text("{\"op\":7,\"body\":1000}"));
        assertEquals(Wire.WS_TEXT, Wire.of(text));
        text.finishAndReleaseAll();
    }

    @Test
    void binaryFrameWithTwoPacketsGetsTwoBinaryReplies() {
        EmbeddedChannel ch = newConnection();
        ch.attr(Wire.ATTR).set(null);
        ch.pipeline().remove("auth");
        ch.pipeline().addLast("session", new SessionHandler(comet.auth().session(), new Connection("9_2", 9, ch, Wire.of(ch))));
        ByteBuf two = TestComets.packet(Op.HEARTBEAT, 5, "");
        ByteBuf second = TestComets.packet(Op.TEST, 6, "");
        two.writeBytes(second);
        second.release();
        ch.writeInbound(new BinaryWebSocketFrame(two));
        BinaryWebSocketFrame r1 = ch.readOutbound();
        BinaryWebSocketFrame r2 = ch.readOutbound();
        assertEquals(Op.HEARTBEAT_REPLY, r1.content().getInt(8));
        assertEquals(5, r1.content().getInt(12));
        assertEquals(Op.TEST_REPLY, r2.content().getInt(8));
        assertEquals(6, r2.content().getInt(12));
        r1.release();
        r2.release();
        ch.finishAndReleaseAll();
    }

    private void assertClosedWith(EmbeddedChannel ch, Object frame, ProtocolException.Kind kind) {
        long before = CometCounts.protocolErrors(comet.meters().registry(), kind);
        ch.writeInbound(frame);
        assertFalse(ch.isOpen(), kind + " should close");
        assertEquals(before + 1, CometCounts.protocolErrors(comet.meters().registry(), kind));
        ch.finishAndReleaseAll();
    }

    @Test
    void junkJsonClosesTheConnectionAsABadFrame() {
        assertClosedWith(authenticated(), text("{\"op\":2,"), ProtocolException.Kind.BAD_FRAME);
        assertClosedWith(authenticated(), text("[{\"op\":2}]"), ProtocolException.Kind.BAD_FRAME);
        assertClosedWith(newConnection(), text("hello"), ProtocolException.Kind.BAD_FRAME);
    }

    @Test
    void strayContinuationFrameIsABadFrame() {
        assertClosedWith(authenticated(), new ContinuationWebSocketFrame(Unpooled.buffer(0)), ProtocolException.Kind.BAD_FRAME);
    }

    @Test
    void opOtherThanAuthFirstClosesTheConnection() {
        assertClosedWith(newConnection(), text("{\"ver\":1,\"op\":2,\"seq\":1,\"body\":{}}"),
                ProtocolException.Kind.NOT_AUTHENTICATED);
    }

    @Test
    void badBinaryPacketsCloseTheConnection() {
        ByteBuf headerLength = TestComets.packet(Op.HEARTBEAT, 1, "");
        headerLength.setShort(4, 12);
        assertClosedWith(authenticated(), new BinaryWebSocketFrame(headerLength), ProtocolException.Kind.HEADER_LENGTH);

        ByteBuf tooLong = TestComets.packet(Op.HEARTBEAT, 1, "");
        tooLong.setInt(0, 16 + 2000);
        assertClosedWith(authenticated(), new BinaryWebSocketFrame(tooLong), ProtocolException.Kind.PACKET_LENGTH);

        ByteBuf negative = TestComets.packet(Op.HEARTBEAT, 1, "");
        negative.setInt(0, -1);
        assertClosedWith(authenticated(), new BinaryWebSocketFrame(negative), ProtocolException.Kind.PACKET_LENGTH);

        ByteBuf truncated = Unpooled.buffer().writeInt(16).writeShort(16);
        assertClosedWith(authenticated(), new BinaryWebSocketFrame(truncated), ProtocolException.Kind.PACKET_LENGTH);

        assertClosedWith(authenticated(), new BinaryWebSocketFrame(Unpooled.buffer(0)), ProtocolException.Kind.BAD_FRAME);
    }

    @Test
    void unknownOpOverWebSocketClosesTheConnection() {
        assertClosedWith(authenticated(), text("{\"op\":99}"), ProtocolException.Kind.UNKNOWN_OP);
    }

    @Test
    void goodFramesLeaveNothingBehind() {
        EmbeddedChannel ch = authenticated();
        ch.writeInbound(text("{\"op\":254,\"seq\":1}"));
        TextWebSocketFrame reply = ch.readOutbound();
        assertTrue(reply.text().contains("\"op\":255"));
        assertTrue(reply.text().contains("{\"test\":\"come on\"}"));
        reply.release();
        assertNull(ch.readOutbound());
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
