package io.goim.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goim.protocol.Packet;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * goim's WebSocket JSON framing, client side. Outgoing packets become one text frame
 * {@code {"ver":1,"op":7,"seq":1,"body":<raw JSON>}}, with a body that is not JSON sent as
 * a JSON string and an empty body as {@code {}}. Incoming text frames are JSON arrays of
 * such objects (a batch is one frame); each element becomes one {@link Packet} whose body
 * is the JSON text of {@code body}.
 *
 * <p>One instance per channel.
 */
public final class WsJsonCodec extends MessageToMessageCodec<WebSocketFrame, Packet> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void encode(ChannelHandlerContext ctx, Packet p, List<Object> out) throws IOException {
        ObjectNode o = JSON.createObjectNode().put("ver", p.ver()).put("op", p.op()).put("seq", p.seq());
        o.set("body", bodyAsJson(ByteBufUtil.getBytes(p.body())));
        out.add(new TextWebSocketFrame(Unpooled.wrappedBuffer(JSON.writeValueAsBytes(o))));
    }

    /** The body as JSON: itself when it is JSON, a JSON string when it is not, {} when empty. */
    static JsonNode bodyAsJson(byte[] body) {
        if (body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && !n.isMissingNode()) {
                return n;
            }
        } catch (IOException notJson) {
            // sent as a string below
        }
        return JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (!(frame instanceof TextWebSocketFrame text)) {
            return; // control frames are handled by Netty's protocol handler
        }
        JsonNode root;
        try {
            root = JSON.readTree(text.text());
        } catch (JsonProcessingException e) {
            throw new CorruptedFrameException("server frame is not JSON: " + e.getOriginalMessage());
        }
        if (root == null) {
            throw new CorruptedFrameException("empty server frame");
        }
        if (root.isArray()) {
            for (JsonNode n : root) {
                out.add(toPacket(n));
            }
        } else {
            out.add(toPacket(root));
        }
    }

    private static Packet toPacket(JsonNode n) {
        JsonNode body = n.get("body");
        byte[] bytes = body == null || body.isNull() ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
        return new Packet(n.path("ver").asInt(), n.path("op").asInt(), n.path("seq").asInt(), Unpooled.wrappedBuffer(bytes));
    }
}
