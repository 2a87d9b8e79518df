package io.goim.bench;

import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Counts the packets of an authenticated connection without building them: it walks the
 * byte stream packet by packet (layout in {@link Packets}), copying only each packet's
 * head (the 16-byte header and the first bytes of the body) into one reusable array,
 * counting op 5 (push) and op 3 (heartbeat reply), and skipping the rest of the body. A
 * push whose body starts with a {@link SendStamp} has its latency (now − send time)
 * recorded in {@link LoadStats#latency}; every packet of an OP_RAW batch is its own packet
 * on the wire, so each is counted and timed. When the stats keep {@link Receipts}, the head
 * copy also takes the stamp's sequence ({@link SendStamp#WITH_SEQ} body bytes instead of
 * {@link SendStamp#PREFIX_AND_DIGITS}) and logs it with the receive time; otherwise the
 * hot path is as before (no allocation, no lock). It replaces the {@code PacketCodec} after
 * auth because on a shared 2-core machine the load client must cost far less CPU per
 * packet than the comet it measures; the decoder would allocate a frame and a slice per packet.
 *
 * <p>A packet length below the header size closes the connection (counted as a protocol
 * error). One instance per channel; runs on the channel's event loop only.
 */
final class PushCounter extends ChannelInboundHandlerAdapter {
    private static final int HEAD = Packets.HEADER_LENGTH + SendStamp.PREFIX_AND_DIGITS;
    private static final int HEAD_WITH_SEQ = Packets.HEADER_LENGTH + SendStamp.WITH_SEQ;

    private final LoadStats stats;
    /** Where receipts go; null when not kept. */
    private final Receipts receipts;
    /** Head bytes copied at most per packet. */
    private final int headMax;
    /** The head of the current packet, possibly split across reads. */
    private final byte[] head;
    /** {@link #head} as a buffer, made once, so the header fields are read by {@link Packets}. */
    private final ByteBuf headView;
    private int headFill;
    /** Head bytes wanted for the current packet (its length, at most {@link #headMax}); 0 until its length is read. */
    private int headWanted;
    private int length;
    /** Bytes of the current packet still to skip after its head. */
    private int skip;
    /** Counted during one read, added to the shared counters once per read. */
    private int pushes;
    private int heartbeatReplies;
    /** Receive time of the current read, taken at its first timed push. */
    private long nowMicros;
    private SingleWriterRecorder latencies;

    PushCounter(LoadStats stats) {
        this.stats = stats;
        this.receipts = stats.receipts;
        this.headMax = receipts == null ? HEAD : HEAD_WITH_SEQ;
        this.head = new byte[headMax];
        this.headView = Unpooled.wrappedBuffer(head);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        nowMicros = 0;
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
            if (headWanted == 0) {
                int n = Math.min(4 - headFill, in.readableBytes());
                in.readBytes(head, headFill, n);
                headFill += n;
                if (headFill < 4) {
                    return true;
                }
                length = Packets.lengthAt(headView, 0);
                if (length < Packets.HEADER_LENGTH) {
                    return false;
                }
                headWanted = Math.min(length, headMax);
            }
            int n = Math.min(headWanted - headFill, in.readableBytes());
            in.readBytes(head, headFill, n);
            headFill += n;
            if (headFill < headWanted) {
                return true;
            }
            packet(Packets.opAt(headView, 0), headWanted);
            skip = length - headWanted;
            headFill = 0;
            headWanted = 0;
        }
        return true;
    }

    private void packet(int op, int headLength) {
        if (op == Op.SEND_MSG_REPLY) {
            pushes++;
            long sent = SendStamp.read(head, Packets.HEADER_LENGTH, headLength);
            if (sent > 0) {
                if (nowMicros == 0) {
                    nowMicros = Latencies.nowMicros();
                    latencies = stats.latency.recorder();
                }
                Latencies.record(latencies, nowMicros - sent);
                if (receipts != null) {
                    long seq = SendStamp.seq(head, Packets.HEADER_LENGTH, headLength);
                    if (seq >= 0) {
                        receipts.add(seq, nowMicros);
                    }
                }
            }
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
}
