package io.goim.comet.push;

import io.goim.comet.session.V2State;
import io.goim.comet.transport.Wire;
import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.goim.protocol.PacketBatch;
import io.goim.protocol.WsJson;
import io.goim.proto.Proto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AbstractReferenceCounted;
import java.util.List;

/**
 * A push for any number of connections, encoded once per wire format: the TCP bytes
 * (one packet, or for OP_RAW the batch of packets itself) at creation, the whole
 * WebSocket frame (text: a JSON array; binary: the packets) the first time a WebSocket
 * connection needs it. Each connection
 * writes a retained duplicate ({@link #frame}), so the bytes are shared; the message is
 * released once by its creator, and every holder retains it first. Messages that wait
 * for the same connections are {@link #merge merged} into one, written once.
 *
 * <p>Thread-safe.
 */
final class PushMessage extends AbstractReferenceCounted {
    private final ByteBufAllocator alloc;
    private final ByteBuf tcp;
    private final int packets;
    /** The distinct operations of its packets (nearly always one), for connections that filter operations. */
    private final int[] ops;
    private ByteBuf wsText; // guarded by this
    private ByteBuf wsBinary; // guarded by this
    private ByteBuf wsBinaryV2; // guarded by this

    private PushMessage(ByteBufAllocator alloc, ByteBuf tcp, int packets) {
        this.alloc = alloc;
        this.tcp = tcp;
        this.packets = packets;
        this.ops = opsOf(tcp);
    }

    /** The distinct operations of a batch, first first; of() has checked that its packets tile it. */
    private static int[] opsOf(ByteBuf tcp) {
        int first = tcp.readableBytes() >= Packets.HEADER_LENGTH ? Packets.opAt(tcp, tcp.readerIndex()) : 0;
        int[] out = {first};
        for (int i = tcp.readerIndex(); i >= 0 && i < tcp.writerIndex(); i = PacketBatch.next(tcp, i)) {
            int op = Packets.opAt(tcp, i);
            if (op != first && java.util.Arrays.stream(out).noneMatch(o -> o == op)) {
                out = java.util.Arrays.copyOf(out, out.length + 1);
                out[out.length - 1] = op;
            }
        }
        return out;
    }

    /**
     * What a connection that filters operations ({@code accepts}) gets of this message: the
     * message itself when it accepts every packet's operation (not retained), null when none,
     * else a new message of the accepted packets only, which the caller releases. Only the
     * last case copies, for a batch that mixes operations the connection splits.
     */
    PushMessage acceptedBy(V2State accepts) {
        int accepted = 0;
        for (int op : ops) {
            if (accepts.accepts(op)) {
                accepted++;
            }
        }
        if (accepted == ops.length) {
            return this;
        }
        if (accepted == 0) {
            return null;
        }
        ByteBuf out = alloc.buffer(tcp.readableBytes());
        int n = 0;
        for (int i = tcp.readerIndex(); i >= 0 && i < tcp.writerIndex(); i = PacketBatch.next(tcp, i)) {
            if (accepts.accepts(Packets.opAt(tcp, i))) {
                out.writeBytes(tcp, i, Packets.lengthAt(tcp, i));
                n++;
            }
        }
        return new PushMessage(alloc, out, n);
    }

    /**
     * Encodes {@code p} for TCP.
     *
     * @throws IllegalArgumentException when an OP_RAW body is not whole packets end to end
     */
    static PushMessage of(ByteBufAllocator alloc, Proto p) {
        int size = p.getBody().size();
        if (p.getOp() == Op.RAW) {
            ByteBuf out = alloc.buffer(size);
            out.writeBytes(p.getBody().asReadOnlyByteBuffer());
            try {
                return new PushMessage(alloc, out, PacketBatch.count(out));
            } catch (IllegalArgumentException e) {
                out.release();
                throw e;
            }
        }
        ByteBuf out = alloc.buffer(Packets.HEADER_LENGTH + size);
        Packets.writeHeader(out, p.getVer(), p.getOp(), p.getSeq(), size);
        out.writeBytes(p.getBody().asReadOnlyByteBuffer());
        return new PushMessage(alloc, out, 1);
    }

    /** Number of goim packets in this message. */
    int packets() {
        return packets;
    }

    /** The TCP bytes; not retained. */
    ByteBuf tcpBytes() {
        return tcp;
    }

    /**
     * The whole WebSocket text frame (header and JSON array), framed on first use; not
     * retained. Framed here once, so no connection runs Netty's frame encoder (which would
     * allocate and copy a small frame per connection): the bytes go to the socket as they are.
     */
    synchronized ByteBuf webSocketText() {
        if (wsText == null) {
            ByteBuf json = WsJson.writeServerBatch(alloc, tcp);
            try {
                wsText = frame(alloc, OPCODE_TEXT, json);
            } finally {
                json.release();
            }
        }
        return wsText;
    }

    /** The whole WebSocket binary frame carrying the TCP packets, framed on first use; not retained. */
    synchronized ByteBuf webSocketBinary() {
        if (wsBinary == null) {
            wsBinary = frame(alloc, OPCODE_BINARY, tcp);
        }
        return wsBinary;
    }

    /**
     * The binary frame for goim v2 WebSocket clients: a single packet as it is, several
     * wrapped in one {@link Op#V2_RAW} packet (goim v2's batch), since a v2 client reads a
     * frame as one packet and would drop the packets after the first. Framed on first use;
     * not retained.
     */
    synchronized ByteBuf webSocketBinaryV2() {
        if (packets <= 1) {
            return webSocketBinary();
        }
        if (wsBinaryV2 == null) {
            ByteBuf raw = alloc.buffer(Packets.HEADER_LENGTH + tcp.readableBytes());
            try {
                Packets.writeHeader(raw, 1, Op.V2_RAW, 0, tcp.readableBytes());
                raw.writeBytes(tcp, tcp.readerIndex(), tcp.readableBytes());
                wsBinaryV2 = frame(alloc, OPCODE_BINARY, raw);
            } finally {
                raw.release();
            }
        }
        return wsBinaryV2;
    }

    static final int OPCODE_TEXT = 0x1;
    static final int OPCODE_BINARY = 0x2;

    /**
     * One final, unmasked server frame (RFC 6455 section 5.2) around a copy of {@code payload},
     * byte for byte what Netty's {@code WebSocket08FrameEncoder} writes for it:
     * <pre>
     *  | 1000 oooo | 0 len7 |                              payload      len7 &lt; 126
     *  | 1000 oooo | 0 126  | len16          |             payload      len &lt; 65,536
     *  | 1000 oooo | 0 127  | len64 (8 bytes)             | payload
     *    FIN, opcode  no mask
     * </pre>
     */
    static ByteBuf frame(ByteBufAllocator alloc, int opcode, ByteBuf payload) {
        int length = payload.readableBytes();
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        ByteBuf out = alloc.buffer(header + length);
        out.writeByte(0x80 | opcode);
        if (length < 126) {
            out.writeByte(length);
        } else if (length < 65_536) {
            out.writeByte(126);
            out.writeShort(length);
        } else {
            out.writeByte(127);
            out.writeLong(length);
        }
        out.writeBytes(payload, payload.readerIndex(), length);
        return out;
    }

    /** Bytes of the TCP encoding: what this message costs while it waits to be written. */
    int size() {
        return tcp.readableBytes();
    }

    /**
     * What a connection of {@code wire} writes: a retained duplicate of the shared encoding
     * (TCP bytes, or the whole WebSocket binary or text frame, which passes the pipeline's
     * frame encoder untouched as a plain buffer); the channel's write releases it.
     */
    ByteBuf frame(Wire wire) {
        return frame(wire, false);
    }

    /** As {@link #frame(Wire)}; {@code v2}: for a goim v2 login, whose binary frames wrap a batch ({@link #webSocketBinaryV2}). */
    ByteBuf frame(Wire wire, boolean v2) {
        if (v2 && wire == Wire.WS_BINARY) {
            return webSocketBinaryV2().retainedDuplicate();
        }
        return switch (wire) {
            case TCP -> tcp.retainedDuplicate();
            case WS_BINARY -> webSocketBinary().retainedDuplicate();
            case WS_TEXT -> webSocketText().retainedDuplicate();
        };
    }

    /**
     * One message carrying the packets of {@code messages}, in order: their TCP bytes end to
     * end, which is what goim's OP_RAW batch is, so every wire encodes it as one write (one
     * JSON array frame for WebSocket text). The parts are not released.
     */
    static PushMessage merge(ByteBufAllocator alloc, List<PushMessage> messages) {
        int bytes = 0;
        int packets = 0;
        for (PushMessage m : messages) {
            bytes += m.size();
            packets += m.packets;
        }
        ByteBuf out = alloc.buffer(bytes);
        for (PushMessage m : messages) {
            out.writeBytes(m.tcp, m.tcp.readerIndex(), m.tcp.readableBytes());
        }
        return new PushMessage(alloc, out, packets);
    }

    @Override
    protected synchronized void deallocate() {
        tcp.release();
        if (wsText != null) {
            wsText.release();
        }
        if (wsBinary != null) {
            wsBinary.release();
        }
        if (wsBinaryV2 != null) {
            wsBinaryV2.release();
        }
    }

    @Override
    public PushMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public PushMessage touch(Object hint) {
        tcp.touch(hint);
        return this;
    }
}
