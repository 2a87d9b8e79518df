package io.goim.bench;

import io.goim.libs.protocol.Op;
import io.goim.libs.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Counts the packets of an authenticated connection without building them: it walks the
 * byte stream header by header (layout in {@link Packets}), counting op 5 (push) and op 3
 * (heartbeat reply) and skipping bodies. It replaces the {@code PacketDecoder} after auth
 * because on a shared 2-core machine the load client must cost far less CPU per packet than
 * the comet it measures; the decoder would allocate a frame and a slice per packet.
 *
 * <p>A packet length below the header size closes the connection (counted as a protocol
 * error). One instance per channel; runs on the channel's event loop only.
 */
final class PushCounter extends ChannelInboundHandlerAdapter {
    private final LoadStats stats;
    /** The first 12 header bytes of a packet split across reads (length, header length, ver, op). */
    private final byte[] header = new byte[12];
    private int headerFill;
    /** Bytes of the current packet still to skip. */
    private int skip;
    /** Counted during one read, added to the shared counters once per read. */
    private int pushes;
    private int heartbeatReplies;

    PushCounter(LoadStats stats) {
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (!scan(in)) {
                stats.protocolErrors.increment();
                ctx.close();
            }
        } finally {
            in.release();
            flushCounts();
        }
    }

    /** Consumes {@code in}; false on a malformed packet length. */
    private boolean scan(ByteBuf in) {
        while (in.isReadable()) {
            if (skip > 0) {
                int n = Math.min(skip, in.readableBytes());
                in.skipBytes(n);
                skip -= n;
                continue;
            }
            int length;
            int op;
            if (headerFill == 0 && in.readableBytes() >= header.length) {
                int at = in.readerIndex();
                length = in.getInt(at);
                op = in.getInt(at + 8);
            } else {
                int n = Math.min(header.length - headerFill, in.readableBytes());
                in.readBytes(header, headerFill, n);
                headerFill += n;
                if (headerFill < header.length) {
                    return true;
                }
                headerFill = 0;
                length = intAt(0);
                op = intAt(8);
                // The header bytes are already consumed: skip what is left of the packet.
                length -= header.length;
                if (length + header.length < Packets.HEADER_LENGTH) {
                    return false;
                }
                count(op);
                skip = length;
                continue;
            }
            if (length < Packets.HEADER_LENGTH) {
                return false;
            }
            count(op);
            skip = length;
        }
        return true;
    }

    private void count(int op) {
        if (op == Op.SEND_MSG_REPLY) {
            pushes++;
        } else if (op == Op.HEARTBEAT_REPLY) {
            heartbeatReplies++;
        }
    }

    private void flushCounts() {
        if (pushes > 0) {
            stats.pushes.add(pushes);
            pushes = 0;
        }
        if (heartbeatReplies > 0) {
            stats.heartbeatReplies.add(heartbeatReplies);
            heartbeatReplies = 0;
        }
    }

    private int intAt(int i) {
        return (header[i] & 0xff) << 24 | (header[i + 1] & 0xff) << 16 | (header[i + 2] & 0xff) << 8 | header[i + 3] & 0xff;
    }
}
