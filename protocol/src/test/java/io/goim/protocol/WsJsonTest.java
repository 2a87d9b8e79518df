package io.goim.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** goim's WebSocket JSON envelope, byte vectors in and out, both directions. */
class WsJsonTest {
    private static ByteBuf utf8(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static ByteBuf packet(String body) {
        return Packets.encode(ByteBufAllocator.DEFAULT, 0, Op.SEND_MSG_REPLY, 0, body.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeBody(String frame) {
        ByteBuf in = utf8(frame);
        Packet p = WsJson.readClientFrame(in, 1024);
        try {
            return p.body().toString(StandardCharsets.UTF_8);
        } finally {
            p.release();
            in.release();
        }
    }

    private static String encode(int op, String body) {
        ByteBuf b = utf8(body);
        ByteBuf out = WsJson.writeServerFrame(ByteBufAllocator.DEFAULT, 1, op, 7, b);
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
            b.release();
        }
    }

    @Test
    void goimBrowserAuthFrameBecomesOp7WithTheRawJsonOfBodyAsToken() {
        ByteBuf in = utf8("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":{\"data\":{}}}");
        Packet p = WsJson.readClientFrame(in, 1024);
        assertEquals(1, p.ver());
        assertEquals(7, p.op());
        assertEquals(1, p.seq());
        assertEquals("{\"data\":{}}", p.body().toString(StandardCharsets.UTF_8));
        p.release();
        in.release();
    }

    @Test
    void numericAndStringBodiesKeepTheirJsonText() {
        assertEquals("1000", decodeBody("{\"op\":7,\"body\":1000}"));
        assertEquals("\"abc\"", decodeBody("{\"op\":7,\"body\":\"abc\"}"));
        assertEquals("", decodeBody("{\"op\":2,\"seq\":2}"));
        assertEquals("", decodeBody("{\"op\":2,\"body\":null}"));
    }

    @Test
    void junkIsABadFrame() {
        for (String junk : new String[] {"", "not json", "{\"op\":7", "[1,2]", "42", "{\"op\":\"7\"}",
                "{\"op\":7.5}", "{\"ver\":1}", "{\"op\":7} trailing", "{\"op\":99999999999}"}) {
            ByteBuf in = utf8(junk);
            ProtocolException e = assertThrows(ProtocolException.class, () -> WsJson.readClientFrame(in, 1024), junk);
            assertEquals(ProtocolException.Kind.BAD_FRAME, e.kind(), junk);
            in.release();
        }
    }

    @Test
    void bodyAboveMaxBodyIsAPacketLengthError() {
        ByteBuf in = utf8("{\"op\":4,\"body\":\"" + "x".repeat(20) + "\"}");
        ProtocolException e = assertThrows(ProtocolException.class, () -> WsJson.readClientFrame(in, 10));
        assertEquals(ProtocolException.Kind.PACKET_LENGTH, e.kind());
        in.release();
    }

    @Test
    void serverFrameIsAnArrayWithBodyEmbeddedAsRawJson() throws Exception {
        String out = encode(5, "{\"test\":1}");
        assertEquals("[{\"ver\":1,\"op\":5,\"seq\":7,\"body\":{\"test\":1}}]", out);
        JsonNode n = new ObjectMapper().readTree(out);
        assertTrue(n.isArray());
        assertEquals(1, n.get(0).get("body").get("test").asInt());
    }

    @Test
    void emptyBodyIsAnEmptyObject() {
        assertEquals("[{\"ver\":1,\"op\":8,\"seq\":7,\"body\":{}}]", encode(8, ""));
    }

    @Test
    void bodyThatIsNotJsonIsSentAsAJsonString() throws Exception {
        String out = encode(5, "hello \"world\"\n{");
        JsonNode n = new ObjectMapper().readTree(out);
        assertEquals("hello \"world\"\n{", n.get(0).get("body").asText());
        // Two JSON values back to back are not one JSON value either.
        assertEquals("{}{}", new ObjectMapper().readTree(encode(5, "{}{}")).get(0).get("body").asText());
    }

    @Test
    void batchOfPacketsBecomesOneArray() throws Exception {
        ByteBuf batch = Unpooled.buffer();
        batch.writeBytes(packet("{\"a\":1}"));
        batch.writeBytes(packet("plain"));
        batch.writeBytes(packet("[2]"));
        assertEquals(3, PacketBatch.count(batch));
        ByteBuf out = WsJson.writeServerBatch(ByteBufAllocator.DEFAULT, batch);
        JsonNode n = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(3, n.size());
        assertEquals(1, n.get(0).get("body").get("a").asInt());
        assertEquals("plain", n.get(1).get("body").asText());
        assertEquals(2, n.get(2).get("body").get(0).asInt());
        out.release();
        batch.release();
    }

    @Test
    void batchThatDoesNotTileIntoPacketsIsRejected() {
        ByteBuf batch = packet("{}");
        batch.writeByte(1); // one stray byte after the packet
        assertThrows(IllegalArgumentException.class, () -> PacketBatch.count(batch));
        batch.setInt(0, 99); // length beyond the buffer
        assertThrows(IllegalArgumentException.class, () -> PacketBatch.count(batch));
        batch.release();
    }

    @Test
    void isJsonAcceptsExactlyOneValue() {
        for (String ok : new String[] {"1", " {\"a\":[1,2]} ", "\"s\"", "true", "null"}) {
            ByteBuf b = utf8(ok);
            assertTrue(WsJson.isJson(b, 0, b.readableBytes()), ok);
            b.release();
        }
        for (String bad : new String[] {"", "{", "1 2", "abc", "{}x"}) {
            ByteBuf b = utf8(bad);
            assertFalse(WsJson.isJson(b, 0, b.readableBytes()), bad);
            b.release();
        }
    }

    @Test
    void clientFrameIsOneProtoWithTheSameBodyRules() {
        ByteBuf body = utf8("1000");
        ByteBuf out = WsJson.writeClientFrame(ByteBufAllocator.DEFAULT, 1, 7, 1, body);
        assertEquals("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":1000}", out.toString(StandardCharsets.UTF_8));
        // What a client writes, comet reads back as the same packet.
        Packet p = WsJson.readClientFrame(out, 1024);
        assertEquals(7, p.op());
        assertEquals("1000", p.body().toString(StandardCharsets.UTF_8));
        p.release();
        out.release();
        body.release();
    }

    @Test
    void serverFrameIsReadAsAnArrayOrASingleProto() {
        List<Packet> out = new ArrayList<>();
        ByteBuf array = utf8("[{\"ver\":1,\"op\":8,\"seq\":1,\"body\":{}},{\"ver\":0,\"op\":5,\"seq\":0,\"body\":{\"test\":1}}]");
        ByteBuf single = utf8("{\"ver\":1,\"op\":3,\"seq\":2,\"body\":3}");
        WsJson.readServerFrame(array, out);
        WsJson.readServerFrame(single, out);
        assertEquals(3, out.size());
        assertEquals(8, out.get(0).op());
        assertEquals("{\"test\":1}", out.get(1).body().toString(StandardCharsets.UTF_8));
        assertEquals(3, out.get(2).op());
        assertEquals("3", out.get(2).body().toString(StandardCharsets.UTF_8));
        out.forEach(Packet::release);
        array.release();
        single.release();
    }

    @Test
    void aBrokenServerFrameAddsNothing() {
        for (String junk : new String[] {"[{oops", "[{\"op\":5},1]", "[{\"op\":5},{\"op\":\"5\"}]", "\"text\""}) {
            List<Packet> out = new ArrayList<>();
            ByteBuf in = utf8(junk);
            ProtocolException e = assertThrows(ProtocolException.class, () -> WsJson.readServerFrame(in, out), junk);
            assertEquals(ProtocolException.Kind.BAD_FRAME, e.kind(), junk);
            assertEquals(0, out.size(), junk);
            in.release();
        }
    }

    @Test
    void serverBatchWritesEveryPacketOfTheBatchInOrder() {
        ByteBuf batch = Unpooled.buffer();
        PacketBatch.writePush(batch, Op.SEND_MSG_REPLY, "{\"i\":0}".getBytes(StandardCharsets.UTF_8));
        PacketBatch.writePush(batch, 1000, "{\"i\":1}".getBytes(StandardCharsets.UTF_8));
        ByteBuf out = WsJson.writeServerBatch(ByteBufAllocator.DEFAULT, batch);
        assertEquals("[{\"ver\":0,\"op\":5,\"seq\":0,\"body\":{\"i\":0}},{\"ver\":0,\"op\":1000,\"seq\":0,\"body\":{\"i\":1}}]",
                out.toString(StandardCharsets.UTF_8));
        out.release();
        batch.release();
    }
}
