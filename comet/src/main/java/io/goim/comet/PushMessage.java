package io.goim.comet;

import io.goim.libs.protocol.Op;
import io.goim.libs.protocol.Packets;
import io.goim.proto.Proto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AbstractReferenceCounted;
import java.util.List;

/**
 * A push for any number of connections, encoded once per wire format: the TCP bytes
 * (one packet, or for OP_RAW the batch of packets itself) at creation, the WebSocket
 * JSON-array frame the first time a text WebSocket connection needs it. Each connection
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
    private TextWebSocketFrame text; // guarded by this

    private PushMessage(ByteBufAllocator alloc, ByteBuf tcp, int packets) {
        this.alloc = alloc;
        this.tcp = tcp;
        this.packets = packets;
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
                return new PushMessage(alloc, out, WebSocketJson.countPackets(out));
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

    /** The WebSocket text frame, encoded on first use; not retained. */
    synchronized TextWebSocketFrame textFrame() {
        if (text == null) {
            text = new TextWebSocketFrame(WebSocketJson.encodeBatch(alloc, tcp));
        }
        return text;
    }

    /** Bytes of the TCP encoding: what this message costs while it waits to be written. */
    int size() {
        return tcp.readableBytes();
    }

    /**
     * What a connection of {@code wire} writes: a retained duplicate of the shared encoding
     * (TCP bytes, a binary frame around them, or the JSON-array text frame); the channel's
     * write releases it.
     */
    Object frame(Wire wire) {
        return switch (wire) {
            case TCP -> tcp.retainedDuplicate();
            case WS_BINARY -> new BinaryWebSocketFrame(tcp.retainedDuplicate());
            case WS_TEXT -> textFrame().retainedDuplicate();
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
        if (text != null) {
            text.release();
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
