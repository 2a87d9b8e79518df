package io.goim.comet;

import io.goim.protocol.Packet;
import io.goim.protocol.ProtocolException;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * goim's binary packets on a client TCP stream, both ways, in one small handler: the same
 * rules as libs' {@code PacketDecoder} and {@code PacketEncoder} (a packet length outside
 * {@code [16, 16 + maxBody]} or a header length other than 16 raises
 * {@link ProtocolException} once and every later byte is discarded; packets split over
 * reads and several packets in one read are both handled; {@link Packet}s written are
 * encoded, pre-encoded {@code ByteBuf}s pass through).
 *
 * <p>Why not those two: a comet holds tens of thousands of idle connections, and Netty's
 * {@code ByteToMessageDecoder} carries 96 bytes of state per connection plus a pipeline
 * context (56 bytes) for the encoder. This handler keeps only the bytes of an incomplete
 * packet, and only while one is incomplete: 24 bytes per idle connection.
 *
 * <p>One instance per channel; event loop only.
 */
final class TcpPacketCodec extends ChannelDuplexHandler {
    private final int maxPacket;
    /** The start of a packet whose end has not arrived yet, or null. */
    private ByteBuf partial;
    /** After a protocol error the stream cannot be re-synchronised: everything else is discarded. */
    private boolean broken;

    /** @param maxBody the largest body accepted, in bytes (goim: 1024) */
    TcpPacketCodec(int maxBody) {
        this.maxPacket = Packets.HEADER_LENGTH + maxBody;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (broken) {
            in.release();
            return;
        }
        ByteBuf buf = in;
        if (partial != null) {
            buf = ctx.alloc().buffer(partial.readableBytes() + in.readableBytes());
            buf.writeBytes(partial).writeBytes(in);
            partial.release();
            partial = null;
            in.release();
        }
        try {
            decode(ctx, buf);
            if (buf.isReadable() && !broken) {
                // Copied, so an incomplete packet does not hold a whole read buffer.
                partial = ctx.alloc().buffer(buf.readableBytes()).writeBytes(buf);
            }
        } catch (ProtocolException e) {
            broken = true;
            ctx.fireExceptionCaught(e);
        } finally {
            buf.release();
        }
    }

    /** Fires every complete packet in {@code buf}, leaving an incomplete one unread. */
    private void decode(ChannelHandlerContext ctx, ByteBuf buf) {
        while (buf.readableBytes() >= 4) {
            int at = buf.readerIndex();
            long length = buf.getUnsignedInt(at);
            if (length < Packets.HEADER_LENGTH || length > maxPacket) {
                throw new ProtocolException(ProtocolException.Kind.PACKET_LENGTH, "packet length "
                        + buf.getInt(at) + " (expected: " + Packets.HEADER_LENGTH + ".." + maxPacket + ")");
            }
            if (buf.readableBytes() < length) {
                return;
            }
            int headerLength = buf.getShort(at + 4);
            if (headerLength != Packets.HEADER_LENGTH) {
                throw new ProtocolException(ProtocolException.Kind.HEADER_LENGTH,
                        "header length " + headerLength + " (expected: " + Packets.HEADER_LENGTH + ")");
            }
            Packet p = new Packet(buf.getShort(at + 6), buf.getInt(at + 8), buf.getInt(at + 12),
                    buf.retainedSlice(at + Packets.HEADER_LENGTH, (int) length - Packets.HEADER_LENGTH));
            buf.skipBytes((int) length);
            ctx.fireChannelRead(p);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Packet p) {
            ByteBuf out;
            try {
                out = ctx.alloc().ioBuffer(Packets.HEADER_LENGTH + p.body().readableBytes());
                Packets.write(out, p.ver(), p.op(), p.seq(), p.body());
            } finally {
                p.release();
            }
            ctx.write(out, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }
}
