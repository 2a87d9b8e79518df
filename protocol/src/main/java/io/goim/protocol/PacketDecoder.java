package io.goim.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;

/**
 * Splits a TCP byte stream into {@link Packet}s and enforces goim's limits.
 *
 * <p>goim's length field counts the whole packet, itself included, so the frame
 * decoder runs with a length adjustment of -4 (see {@link Packets} for the layout).
 * A packet length outside {@code [16, 16 + maxBody]} or a header length other than 16
 * raises {@link ProtocolException} once, and every byte after it is discarded: the
 * connection's handler closes it. Packets split
 * over several reads and several packets in one read are both handled.
 *
 * <p>One instance per channel (not sharable).
 */
public final class PacketDecoder extends LengthFieldBasedFrameDecoder {
    private final int maxPacket;
    /** After a protocol error the stream cannot be re-synchronised: everything else is discarded. */
    private boolean broken;

    /** @param maxBody the largest body accepted, in bytes (goim: 1024) */
    public PacketDecoder(int maxBody) {
        super(Integer.MAX_VALUE, 0, 4, -4, 0, true);
        if (maxBody < 0) {
            throw new IllegalArgumentException("maxBody: " + maxBody + " (expected: >= 0)");
        }
        this.maxPacket = Packets.HEADER_LENGTH + maxBody;
    }

    @Override
    protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
        long packetLength = buf.getInt(offset);
        if (packetLength < Packets.HEADER_LENGTH || packetLength > maxPacket) {
            throw new ProtocolException(ProtocolException.Kind.PACKET_LENGTH,
                    "packet length " + packetLength + " (expected: " + Packets.HEADER_LENGTH + ".." + maxPacket + ")");
        }
        return packetLength;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        try {
            return decodePacket(ctx, in);
        } catch (ProtocolException e) {
            broken = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private Packet decodePacket(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        ByteBuf frame = (ByteBuf) super.decode(ctx, in);
        if (frame == null) {
            return null;
        }
        try {
            int packetLength = frame.readInt();
            int headerLength = frame.readShort();
            if (headerLength != Packets.HEADER_LENGTH) {
                throw new ProtocolException(ProtocolException.Kind.HEADER_LENGTH,
                        "header length " + headerLength + " (expected: " + Packets.HEADER_LENGTH + ")");
            }
            int ver = frame.readShort();
            int op = frame.readInt();
            int seq = frame.readInt();
            return new Packet(ver, op, seq, frame.readRetainedSlice(packetLength - Packets.HEADER_LENGTH));
        } finally {
            frame.release();
        }
    }
}
