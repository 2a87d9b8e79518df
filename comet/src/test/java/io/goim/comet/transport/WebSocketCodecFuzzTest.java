package io.goim.comet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.Packet;
import io.goim.protocol.PacketBatch;
import io.goim.protocol.WsJson;
import io.goim.protocol.ProtocolException;
import io.goim.libs.testing.FuzzLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the comet's WebSocket codec ({@link WebSocketPacketCodec} with
 * {@link WsJson}): one client frame, text or binary, goes in; whatever it decodes to
 * is written back out, and what a client would receive must be well formed: a text reply
 * is a JSON array of one goim object with the packet's ver/op/seq, a binary reply is the
 * packet's bytes. The same bytes are also read as a server-side OP_RAW batch: when
 * {@link PacketBatch#count} accepts them, {@link WsJson#writeServerBatch} must
 * give a JSON array of that many objects. A refused frame may only raise
 * {@link ProtocolException}. No buffer may stay referenced afterwards.
 *
 * <p>Input layout: bit 0 of byte 0 picks a text (0) or binary (1) frame, the rest is the
 * frame's payload. Seeds: {@code src/test/resources/io/goim/comet/transport/WebSocketCodecFuzzTestInputs/}.
 */
class WebSocketCodecFuzzTest {
    private static final int MAX_BODY = 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final FuzzLeaks leaks = new FuzzLeaks();

    @FuzzTest(maxDuration = "10m")
    void frame(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        boolean binary = (input[0] & 1) == 1;
        byte[] payload = Arrays.copyOfRange(input, 1, input.length);
        List<Packet> decoded = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketPacketCodec(MAX_BODY), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                decoded.add((Packet) msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errors.add(cause);
            }
        });
        ch.config().setAllocator(leaks.allocator());
        try {
            ByteBuf content = leaks.track(payload);
            WebSocketFrame frame = binary ? new BinaryWebSocketFrame(content) : new TextWebSocketFrame(content);
            try {
                ch.writeInbound(frame);
            } catch (ProtocolException refused) {
                errors.add(refused);
            }
            for (Throwable t : errors) {
                assertTrue(t instanceof ProtocolException, () -> "not a protocol error: " + t);
            }
            for (Packet p : decoded) {
                ch.writeOutbound(p.retain());
                WebSocketFrame reply = ch.readOutbound();
                try {
                    if (binary) {
                        assertTrue(reply instanceof BinaryWebSocketFrame, "binary in, binary out");
                        assertEquals(16 + p.body().readableBytes(), reply.content().getInt(0), "packet length");
                        assertEquals(p.op(), reply.content().getInt(8), "op");
                    } else {
                        assertTrue(reply instanceof TextWebSocketFrame, "text in, text out");
                        JsonNode array = parse(reply.content());
                        assertTrue(array.isArray() && array.size() == 1, () -> "not one object: " + array);
                        JsonNode o = array.get(0);
                        assertEquals(p.ver(), o.get("ver").intValue());
                        assertEquals(p.op(), o.get("op").intValue());
                        assertEquals(p.seq(), o.get("seq").intValue());
                        assertTrue(o.has("body"));
                    }
                } finally {
                    reply.release();
                }
            }
            checkBatch(payload);
        } finally {
            decoded.forEach(Packet::release);
            ch.finishAndReleaseAll();
        }
        leaks.assertNoLeaks();
    }

    /** The payload read as packets laid end to end, as job's room batches are. */
    private void checkBatch(byte[] payload) throws IOException {
        ByteBuf batch = leaks.track(payload);
        try {
            int n;
            try {
                n = PacketBatch.count(batch);
            } catch (IllegalArgumentException notABatch) {
                return;
            }
            ByteBuf json = WsJson.writeServerBatch(leaks.allocator(), batch);
            try {
                JsonNode array = parse(json);
                assertTrue(array.isArray(), "a batch is a JSON array");
                assertEquals(n, array.size(), "one object per packet");
            } finally {
                json.release();
            }
        } finally {
            batch.release();
        }
    }

    private static JsonNode parse(ByteBuf json) throws IOException {
        try (InputStream in = new ByteBufInputStream(json.duplicate())) {
            return JSON.readTree(in);
        }
    }
}
