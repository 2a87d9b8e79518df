package io.goim.comet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.Packet;
import io.goim.protocol.Packets;
import io.goim.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * goim's WebSocket text format. A client frame is one JSON object, a server frame is a
 * JSON array of them, so a batch is one frame:
 * <pre>
 *  client → server   {"ver":1,"op":7,"seq":1,"body":{"data":{}}}
 *  server → client   [{"ver":1,"op":8,"seq":1,"body":{}},{"ver":1,"op":5,"seq":0,"body":{"test":1}}]
 * </pre>
 * {@code body} travels as raw JSON, not as a string. Inbound, the packet body is the raw
 * JSON text of {@code body} (so it is the auth token, as in goim). Outbound, a body that
 * is valid JSON is embedded as is, an empty body is written as {@code {}}, and any other
 * body is written as a JSON string, so a client never receives broken JSON.
 *
 * <p>Stateless and thread-safe.
 */
final class WebSocketJson {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final byte[] EMPTY_BODY = {'{', '}'};

    private WebSocketJson() {
    }

    /**
     * Parses a client text frame into a packet.
     *
     * @throws ProtocolException {@code BAD_FRAME} for anything but a goim JSON object,
     *         {@code PACKET_LENGTH} for a body above {@code maxBody} bytes
     */
    static Packet decode(ByteBuf frame, int maxBody) {
        JsonNode n;
        try (InputStream in = new ByteBufInputStream(frame.duplicate())) {
            n = MAPPER.readTree(in);
        } catch (IOException e) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "text frame is not JSON: "
                    + firstLine(e.getMessage()));
        }
        if (n == null || !n.isObject()) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "text frame is not a JSON object");
        }
        int ver = intField(n, "ver");
        int op = intField(n, "op");
        int seq = intField(n, "seq");
        if (!n.has("op")) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "text frame has no \"op\"");
        }
        JsonNode body = n.get("body");
        byte[] bytes = body == null || body.isNull() ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxBody) {
            throw new ProtocolException(ProtocolException.Kind.PACKET_LENGTH,
                    "body of " + bytes.length + " bytes (expected: <= " + maxBody + ")");
        }
        return new Packet(ver, op, seq, Unpooled.wrappedBuffer(bytes));
    }

    private static int intField(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "\"" + name + "\": " + v + " (expected: an integer)");
        }
        return v.intValue();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** A new buffer holding {@code [proto]}; the caller owns it. */
    static ByteBuf encode(ByteBufAllocator alloc, int ver, int op, int seq, ByteBuf body) {
        ByteBuf out = alloc.buffer(64 + body.readableBytes());
        out.writeByte('[');
        writeProto(out, ver, op, seq, body, body.readerIndex(), body.readableBytes());
        out.writeByte(']');
        return out;
    }

    /**
     * A new buffer holding the JSON array of the packets laid end to end in
     * {@code packets}' readable bytes (an OP_RAW batch); the caller owns it.
     */
    static ByteBuf encodeBatch(ByteBufAllocator alloc, ByteBuf packets) {
        ByteBuf out = alloc.buffer(packets.readableBytes() + 64);
        out.writeByte('[');
        int i = packets.readerIndex();
        int end = packets.writerIndex();
        while (i < end) {
            int length = packets.getInt(i);
            if (i != packets.readerIndex()) {
                out.writeByte(',');
            }
            writeProto(out, packets.getShort(i + 6), packets.getInt(i + 8), packets.getInt(i + 12), packets,
                    i + Packets.HEADER_LENGTH, length - Packets.HEADER_LENGTH);
            i += length;
        }
        out.writeByte(']');
        return out;
    }

    /**
     * Counts the packets laid end to end in {@code batch}'s readable bytes.
     *
     * @throws IllegalArgumentException when they do not tile it exactly
     */
    static int countPackets(ByteBuf batch) {
        int n = 0;
        int i = batch.readerIndex();
        int end = batch.writerIndex();
        while (i < end) {
            if (end - i < Packets.HEADER_LENGTH) {
                throw new IllegalArgumentException("batch: " + (end - i) + " trailing bytes (expected: a 16-byte header)");
            }
            int length = batch.getInt(i);
            if (length < Packets.HEADER_LENGTH || length > end - i || batch.getShort(i + 4) != Packets.HEADER_LENGTH) {
                throw new IllegalArgumentException("batch: packet " + n + " length " + length + ", header length "
                        + batch.getShort(i + 4) + " (expected: 16.." + (end - i) + ", 16)");
            }
            i += length;
            n++;
        }
        return n;
    }

    private static void writeProto(ByteBuf out, int ver, int op, int seq, ByteBuf body, int index, int length) {
        out.writeCharSequence("{\"ver\":", StandardCharsets.US_ASCII);
        out.writeCharSequence(Integer.toString(ver), StandardCharsets.US_ASCII);
        out.writeCharSequence(",\"op\":", StandardCharsets.US_ASCII);
        out.writeCharSequence(Integer.toString(op), StandardCharsets.US_ASCII);
        out.writeCharSequence(",\"seq\":", StandardCharsets.US_ASCII);
        out.writeCharSequence(Integer.toString(seq), StandardCharsets.US_ASCII);
        out.writeCharSequence(",\"body\":", StandardCharsets.US_ASCII);
        if (length == 0) {
            out.writeBytes(EMPTY_BODY);
        } else if (isJson(body, index, length)) {
            out.writeBytes(body, index, length);
        } else {
            out.writeByte('"');
            out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(body.toString(index, length, StandardCharsets.UTF_8)));
            out.writeByte('"');
        }
        out.writeByte('}');
    }

    /** True when the bytes are exactly one JSON value (whitespace around it allowed). */
    static boolean isJson(ByteBuf buf, int index, int length) {
        byte[] bytes;
        int offset;
        if (buf.hasArray()) {
            bytes = buf.array();
            offset = buf.arrayOffset() + index;
        } else {
            bytes = ByteBufUtil.getBytes(buf, index, length, false);
            offset = 0;
        }
        try (JsonParser p = JSON.createParser(bytes, offset, length)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
