package io.goim.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * goim's binary packet layout, written and its header fields read in one place. All
 * integers are big-endian:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 packet length (header + body)                 |
 * +-------------------------------+-------------------------------+
 * |     header length (= 16)      |            version            |
 * +-------------------------------+-------------------------------+
 * |                           operation                           |
 * +---------------------------------------------------------------+
 * |                           sequence                            |
 * +---------------------------------------------------------------+
 * |                    body (packet length - 16)                  |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * A packet travels alone or with others laid end to end: on a TCP stream
 * ({@link PacketCodec}), in a binary WebSocket frame and in an OP_RAW batch
 * ({@link PacketBatch}); the JSON WebSocket envelope is {@link WsJson}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Packets {
    /** Size of the fixed header. */
    public static final int HEADER_LENGTH = 16;
    /** goim's default maximum body size ({@code MaxBodySize = 1 << 10}). */
    public static final int DEFAULT_MAX_BODY = 1 << 10;
    /**
     * The version of the packets the cluster builds for pushes, and of the OP_RAW batches
     * that carry them (goim's job writes 0); a client reads every version alike.
     */
    public static final int PUSH_VER = 0;

    private Packets() {
    }

    /** The packet length field of the packet starting at {@code at} (not bounds-checked beyond the buffer's). */
    public static int lengthAt(ByteBuf buf, int at) {
        return buf.getInt(at);
    }

    /** The header length field (16 in every valid packet) of the packet starting at {@code at}. */
    public static int headerLengthAt(ByteBuf buf, int at) {
        return buf.getShort(at + 4);
    }

    /** The version field of the packet starting at {@code at}. */
    public static int verAt(ByteBuf buf, int at) {
        return buf.getShort(at + 6);
    }

    /** The operation field of the packet starting at {@code at}. */
    public static int opAt(ByteBuf buf, int at) {
        return buf.getInt(at + 8);
    }

    /** The sequence field of the packet starting at {@code at}. */
    public static int seqAt(ByteBuf buf, int at) {
        return buf.getInt(at + 12);
    }

    /**
     * The packet starting at {@code at}, whose {@code length} bytes are all in {@code buf},
     * as a {@link Packet} whose body is a retained slice (no copy).
     *
     * @throws ProtocolException {@code HEADER_LENGTH} when its header length is not 16
     */
    static Packet sliceAt(ByteBuf buf, int at, int length) {
        int headerLength = headerLengthAt(buf, at);
        if (headerLength != HEADER_LENGTH) {
            throw new ProtocolException(ProtocolException.Kind.HEADER_LENGTH,
                    "header length " + headerLength + " (expected: " + HEADER_LENGTH + ")");
        }
        return new Packet(verAt(buf, at), opAt(buf, at), seqAt(buf, at),
                buf.retainedSlice(at + HEADER_LENGTH, length - HEADER_LENGTH));
    }

    /** A new buffer holding {@code p} in this layout, sized exactly; {@code p} is not released. The caller owns it. */
    public static ByteBuf encode(ByteBufAllocator alloc, Packet p) {
        ByteBuf out = alloc.ioBuffer(HEADER_LENGTH + p.body().readableBytes());
        write(out, p.ver(), p.op(), p.seq(), p.body());
        return out;
    }

    /** Writes the 16-byte header for a body of {@code bodyLength} bytes. */
    public static void writeHeader(ByteBuf out, int ver, int op, int seq, int bodyLength) {
        out.writeInt(HEADER_LENGTH + bodyLength);
        out.writeShort(HEADER_LENGTH);
        out.writeShort(ver);
        out.writeInt(op);
        out.writeInt(seq);
    }

    /** Writes a whole packet; {@code body}'s readable bytes are copied, its indexes untouched. */
    public static void write(ByteBuf out, int ver, int op, int seq, ByteBuf body) {
        int length = body.readableBytes();
        writeHeader(out, ver, op, seq, length);
        out.writeBytes(body, body.readerIndex(), length);
    }

    /** Writes a whole packet with a byte-array body. */
    public static void write(ByteBuf out, int ver, int op, int seq, byte[] body) {
        writeHeader(out, ver, op, seq, body.length);
        out.writeBytes(body);
    }

    /** A new buffer holding one whole packet, sized exactly. The caller owns it. */
    public static ByteBuf encode(ByteBufAllocator alloc, int ver, int op, int seq, byte[] body) {
        ByteBuf out = alloc.buffer(HEADER_LENGTH + body.length);
        write(out, ver, op, seq, body);
        return out;
    }

    /** A new buffer holding one whole packet, sized exactly. The caller owns it. */
    public static ByteBuf encode(ByteBufAllocator alloc, int ver, int op, int seq, ByteBuf body) {
        ByteBuf out = alloc.buffer(HEADER_LENGTH + body.readableBytes());
        write(out, ver, op, seq, body);
        return out;
    }
}
