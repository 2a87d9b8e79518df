package io.goim.comet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.Packet;
import io.goim.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** goim's WebSocket JSON format, byte vectors in and out. */
class WebSocketJsonTest {
    private static ByteBuf utf8(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static String decodeBody(String frame) {
        ByteBuf in = utf8(frame);
        Packet p = WebSocketJson.decode(in, 1024);
        try {
            return p.body().toString(StandardCharsets.UTF_8);
        } finally {
            p.release();
            in.release();
        }
    }

    private static String encode(int op, String body) {
        ByteBuf b = utf8(body);
        ByteBuf out = WebSocketJson.encode(ByteBufAllocator.DEFAULT, 1, op, 7, b);
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
        Packet p = WebSocketJson.decode(in, 1024);
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
            ProtocolException e = assertThrows(ProtocolException.class, () -> WebSocketJson.decode(in, 1024), junk);
            assertEquals(ProtocolException.Kind.BAD_FRAME, e.kind(), junk);
            in.release();
        }
    }

    @Test
    void bodyAboveMaxBodyIsAPacketLengthError() {
        ByteBuf in = utf8("{\"op\":4,\"body\":\"" + "x".repeat(20) + "\"}");
        ProtocolException e = assertThrows(ProtocolException.class, () -> WebSocketJson.decode(in, 10));
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
        batch.writeBytes(TestComets.packet(5, 0, "{\"a\":1}"));
        batch.writeBytes(TestComets.packet(5, 0, "plain"));
        batch.writeBytes(TestComets.packet(5, 0, "[2]"));
        assertEquals(3, WebSocketJson.countPackets(batch));
        ByteBuf out = WebSocketJson.encodeBatch(ByteBufAllocator.DEFAULT, batch);
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
        ByteBuf batch = TestComets.packet(5, 0, "{}");
        batch.writeByte(1); // one stray byte after the packet
        assertThrows(IllegalArgumentException.class, () -> WebSocketJson.countPackets(batch));
        batch.setInt(0, 99); // length beyond the buffer
        assertThrows(IllegalArgumentException.class, () -> WebSocketJson.countPackets(batch));
        batch.release();
    }

    @Test
    void isJsonAcceptsExactlyOneValue() {
        for (String ok : new String[] {"1", " {\"a\":[1,2]} ", "\"s\"", "true", "null"}) {
            ByteBuf b = utf8(ok);
            assertTrue(WebSocketJson.isJson(b, 0, b.readableBytes()), ok);
            b.release();
        }
        for (String bad : new String[] {"", "{", "1 2", "abc", "{}x"}) {
            ByteBuf b = utf8(bad);
            assertFalse(WebSocketJson.isJson(b, 0, b.readableBytes()), bad);
            b.release();
        }
    }
}
