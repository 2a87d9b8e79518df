package io.goim.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Writes goim's binary packet layout. All integers are big-endian:
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
 * Stateless and thread-safe.
 */
public final class Packets {
    /** Size of the fixed header. */
    public static final int HEADER_LENGTH = 16;
    /** goim's default maximum body size ({@code MaxBodySize = 1 << 10}). */
    public static final int DEFAULT_MAX_BODY = 1 << 10;

    private Packets() {
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
