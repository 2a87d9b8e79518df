package io.goim.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Whole packets laid end to end in one buffer, nothing before, between or after them: the
 * body of an OP_RAW batch ({@link Op#RAW}, how job hands a room's pushes to comet, and how
 * comet writes merged pushes) and the payload of a binary WebSocket frame (goim v2
 * clients). The one reader and writer of both:
 * <pre>
 *  OP_RAW proto   { ver = {@link Packets#PUSH_VER}, op = 11, seq = 0, body = batch }
 *  binary frame   | FIN, opcode 2 | length | batch |
 *  batch          | packet | packet | ... | packet |      each packet as in {@link Packets}:
 *                 | length | 16 | ver | op | seq | body |  the lengths tile the batch exactly
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class PacketBatch {
    private PacketBatch() {
    }

    /**
     * Splits a client's binary WebSocket frame into packets (bodies are retained slices, no
     * copy), consuming {@code frame}'s readable bytes. Packets read before a broken one stay
     * in {@code out} (the caller passes them on, then the error).
     *
     * @throws ProtocolException {@code BAD_FRAME} for an empty frame, {@code PACKET_LENGTH} for
     *         a packet length outside {@code [16, 16 + maxBody]} or past the frame's end,
     *         {@code HEADER_LENGTH} for a header length other than 16
     */
    public static void read(ByteBuf frame, int maxBody, List<Packet> out) {
        int maxPacket = Packets.HEADER_LENGTH + maxBody;
        if (!frame.isReadable()) {
            throw new ProtocolException(ProtocolException.Kind.BAD_FRAME, "empty binary frame");
        }
        while (frame.isReadable()) {
            if (frame.readableBytes() < Packets.HEADER_LENGTH) {
                throw new ProtocolException(ProtocolException.Kind.PACKET_LENGTH,
                        "binary frame ends with " + frame.readableBytes() + " bytes (expected: a 16-byte header)");
            }
            int at = frame.readerIndex();
            int length = Packets.lengthAt(frame, at);
            if (length < Packets.HEADER_LENGTH || length > maxPacket || length > frame.readableBytes()) {
                throw new ProtocolException(ProtocolException.Kind.PACKET_LENGTH, "packet length " + length
                        + " (expected: " + Packets.HEADER_LENGTH + ".." + Math.min(maxPacket, frame.readableBytes()) + ")");
            }
            out.add(Packets.sliceAt(frame, at, length));
            frame.skipBytes(length);
        }
    }

    /**
     * Counts the packets in {@code batch}'s readable bytes (an OP_RAW body from the cluster).
     *
     * @throws IllegalArgumentException when they do not tile it exactly, or a header length is not 16
     */
    public static int count(ByteBuf batch) {
        int n = 0;
        int i = batch.readerIndex();
        int end = batch.writerIndex();
        while (i < end) {
            if (end - i < Packets.HEADER_LENGTH) {
                throw new IllegalArgumentException("batch: " + (end - i) + " trailing bytes (expected: a 16-byte header)");
            }
            int length = Packets.lengthAt(batch, i);
            int headerLength = Packets.headerLengthAt(batch, i);
            if (length < Packets.HEADER_LENGTH || length > end - i || headerLength != Packets.HEADER_LENGTH) {
                throw new IllegalArgumentException("batch: packet " + n + " length " + length + ", header length "
                        + headerLength + " (expected: 16.." + (end - i) + ", 16)");
            }
            i += length;
            n++;
        }
        return n;
    }

    /**
     * Where the packet after the one at {@code at} starts, or -1 when the one at {@code at}
     * is not a whole packet inside the readable bytes: the walk of a batch,
     * {@code for (int at = batch.readerIndex(); at >= 0 && at < batch.writerIndex(); at = next(batch, at))},
     * that stops without throwing at the first broken packet (the ones before it are read).
     */
    public static int next(ByteBuf batch, int at) {
        int end = batch.writerIndex();
        if (end - at < Packets.HEADER_LENGTH) {
            return -1;
        }
        int length = Packets.lengthAt(batch, at);
        return length < Packets.HEADER_LENGTH || length > end - at ? -1 : at + length;
    }

    /** Appends one push packet (version {@link Packets#PUSH_VER}, seq 0) to a batch being built. */
    public static void writePush(ByteBuf batch, int op, byte[] body) {
        Packets.write(batch, Packets.PUSH_VER, op, 0, body);
    }
}
