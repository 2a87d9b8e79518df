package io.goim.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * goim's JSON WebSocket envelope (text frames), both directions, one set of rules for
 * comet and the client (docs/protocol.md, "Text frames"). A proto is one JSON object; a
 * client frame is one proto, a server frame a JSON array of them, so a batch is one frame:
 * <pre>
 *  proto             {"ver":1,"op":7,"seq":1,"body":&lt;any JSON value&gt;}
 *  client → server   {"ver":1,"op":7,"seq":1,"body":{"data":{}}}
 *  server → client   [{"ver":1,"op":8,"seq":1,"body":{}},{"ver":1,"op":5,"seq":0,"body":{"test":1}}]
 * </pre>
 * Reading a proto: {@code ver} and {@code seq} are integers, 0 when absent; {@code op} is
 * an integer and required; the packet body is the JSON text of {@code body} (so it is the
 * auth token, as in goim), empty when {@code body} is absent or null. Anything else breaks
 * the frame ({@link ProtocolException} {@code BAD_FRAME}). Writing a proto: {@code body} travels as raw JSON,
 * not as a string: a body that is valid JSON is embedded as is, an empty body is written
 * as {@code {}}, and any other body as a JSON string, so the reader never receives broken
 * JSON. A server frame may also be a single proto (not an array): the client accepts both.
 *
 * <p>Stateless and thread-safe.
 */
public final class WsJson {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final byte[] EMPTY_BODY = {'{', '}'};

    private WsJson() {
    }

    /**
     * Parses a client text frame (one proto) into a packet; {@code frame} is not consumed.
     *
     * @throws ProtocolException {@code BAD_FRAME} for anything but a goim JSON object,
     *         {@code PACKET_LENGTH} for a body above {@code maxBody} bytes
     */
    public static Packet readClientFrame(ByteBuf frame, int maxBody) {
        JsonNode n = parse(frame);
        if (n == null || !n.isObject()) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "text frame is not a JSON object");
        }
        return proto(n, maxBody);
    }

    /**
     * Parses a server text frame (an array of protos, or one proto) into packets, in order;
     * {@code frame} is not consumed. Nothing is added when the frame is broken.
     *
     * @throws ProtocolException {@code BAD_FRAME} for anything but protos
     */
    public static void readServerFrame(ByteBuf frame, List<? super Packet> out) {
        JsonNode n = parse(frame);
        if (n != null && n.isObject()) {
            out.add(proto(n, Integer.MAX_VALUE));
            return;
        }
        if (n == null || !n.isArray()) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "text frame is not a JSON array or object");
        }
        List<Packet> read = new ArrayList<>(n.size());
        try {
            for (JsonNode element : n) {
                if (!element.isObject()) {
                    throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "array element is not a JSON object");
                }
                read.add(proto(element, Integer.MAX_VALUE));
            }
        } catch (ProtocolException e) {
            read.forEach(Packet::release);
            throw e;
        }
        out.addAll(read);
    }

    private static JsonNode parse(ByteBuf frame) {
        try (InputStream in = new ByteBufInputStream(frame.duplicate())) {
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "text frame is not JSON: "
                    + firstLine(e.getMessage()));
        }
    }

    /** One proto object as a packet, by the rules above. */
    private static Packet proto(JsonNode n, int maxBody) {
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

    /** A new buffer holding the client frame {@code proto}; the caller owns it. */
    public static ByteBuf writeClientFrame(ByteBufAllocator alloc, int ver, int op, int seq, ByteBuf body) {
        ByteBuf out = alloc.buffer(64 + body.readableBytes());
        writeProto(out, ver, op, seq, body, body.readerIndex(), body.readableBytes());
        return out;
    }

    /** A new buffer holding the server frame {@code [proto]}; the caller owns it. */
    public static ByteBuf writeServerFrame(ByteBufAllocator alloc, int ver, int op, int seq, ByteBuf body) {
        ByteBuf out = alloc.buffer(64 + body.readableBytes());
        out.writeByte('[');
        writeProto(out, ver, op, seq, body, body.readerIndex(), body.readableBytes());
        out.writeByte(']');
        return out;
    }

    /**
     * A new buffer holding the JSON array of the packets laid end to end in
     * {@code packets}' readable bytes (a {@link PacketBatch}, already counted); the caller owns it.
     */
    public static ByteBuf writeServerBatch(ByteBufAllocator alloc, ByteBuf packets) {
        ByteBuf out = alloc.buffer(packets.readableBytes() + 64);
        out.writeByte('[');
        for (int i = packets.readerIndex(); i >= 0 && i < packets.writerIndex(); i = PacketBatch.next(packets, i)) {
            if (i != packets.readerIndex()) {
                out.writeByte(',');
            }
            writeProto(out, Packets.verAt(packets, i), Packets.opAt(packets, i), Packets.seqAt(packets, i), packets,
                    i + Packets.HEADER_LENGTH, Packets.lengthAt(packets, i) - Packets.HEADER_LENGTH);
        }
        out.writeByte(']');
        return out;
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
    public static boolean isJson(ByteBuf buf, int index, int length) {
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
