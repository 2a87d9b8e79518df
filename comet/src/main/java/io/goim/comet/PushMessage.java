package io.goim.comet;

import io.goim.libs.protocol.Op;
import io.goim.libs.protocol.Packets;
import io.goim.proto.Proto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AbstractReferenceCounted;

/**
 * A push for any number of connections, encoded once per wire format: the TCP bytes
 * (one packet, or for OP_RAW the batch of packets itself) at creation, the WebSocket
 * JSON-array frame the first time a text WebSocket connection needs it. Each connection
 * writes a retained duplicate, so the bytes are shared; the message is released once by
 * its creator, and every worker that holds it retains it first.
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

    /**
     * Queues this message on {@code c}'s channel and flushes. False, and nothing written,
     * when the channel is closed, or not writable (its backlog is above the high-water
     * mark: the push is dropped and counted).
     */
    boolean writeTo(Connection c, CometCounters counters, Whitelist whitelist) {
        if (c == null) {
            return false;
        }
        Channel ch = c.channel;
        if (!ch.isActive()) {
            return false;
        }
        if (!ch.isWritable()) {
            counters.pushesDropped.increment();
            whitelist.log(c.key, "push dropped: {} not writable", c);
            return false;
        }
        Object frame = switch (c.wire) {
            case TCP -> tcp.retainedDuplicate();
            case WS_BINARY -> new BinaryWebSocketFrame(tcp.retainedDuplicate());
            case WS_TEXT -> textFrame().retainedDuplicate();
        };
        ch.writeAndFlush(frame, ch.voidPromise());
        counters.pushesQueued.increment();
        counters.packetsWritten.add(packets);
        whitelist.log(c.key, "push of {} packet(s) to {}", packets, c);
        return true;
    }

    @Override
    protected synchronized void deallocate() {
        tcp.release();
        if (text != null) {
            text.release();
        }
    }

    @Override
    public PushMessage touch(Object hint) {
        tcp.touch(hint);
        return this;
    }
}
